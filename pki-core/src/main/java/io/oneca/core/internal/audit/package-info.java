/** Internal: the default SLF4J audit sink and the event stamping helper. Not part of OneCA's API. */
package io.oneca.core.internal.audit;
