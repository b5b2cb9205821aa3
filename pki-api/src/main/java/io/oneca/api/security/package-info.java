/**
 * Encryption at rest of the CA's private key: the {@link io.oneca.api.security.KeyEncryptionKey}
 * SPI that file, environment and key-management-service keys implement.
 */
package io.oneca.api.security;
