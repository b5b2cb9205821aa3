/** Health reports for readiness probes, and expiry thresholds as pure functions of time. */
package io.oneca.core.health;
