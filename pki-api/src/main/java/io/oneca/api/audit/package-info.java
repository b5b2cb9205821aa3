/** Audit events: the SPI through which OneCA reports what it created, adopted, issued and refused. */
package io.oneca.api.audit;
