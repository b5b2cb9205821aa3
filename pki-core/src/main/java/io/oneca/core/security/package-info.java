/**
 * Encryption at rest of the CA key: AES-256-GCM key-encryption keys from files and environment
 * variables ({@link io.oneca.core.security.KeyEncryptionKeys}), and re-encryption of a stored CA
 * record under another key ({@link io.oneca.core.security.KeyReencryption}).
 */
package io.oneca.core.security;
