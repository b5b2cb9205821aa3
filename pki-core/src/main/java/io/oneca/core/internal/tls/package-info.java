/** Material checks and normalisation shared by the TLS managers; not API. */
package io.oneca.core.internal.tls;
