/**
 * OneCA's entry point: {@link io.oneca.core.OneCa}, which bootstraps exactly one CA through a
 * versioned store and issues leaf certificates from it.
 */
package io.oneca.core;
