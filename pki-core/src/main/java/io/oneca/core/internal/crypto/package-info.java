/**
 * Internal: CA generation, leaf issuance, key parsing and CA validation on BouncyCastle. Not part of
 * OneCA's API; module-internal and free to change.
 */
package io.oneca.core.internal.crypto;
