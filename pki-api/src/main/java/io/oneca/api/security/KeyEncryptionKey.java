package io.oneca.api.security;

import java.security.GeneralSecurityException;

/**
 * A key-encryption key (KEK): the secret that protects the CA's private key while it sits in the
 * store. Whoever can read the store but does not hold the KEK learns the CA certificate, never the
 * CA key.
 *
 * <p>OneCA ships AES-256-GCM keys read from a file or an environment variable (pki-core's
 * {@code io.oneca.core.security.KeyEncryptionKeys}); a key-management service plugs in by
 * implementing this interface so that the key never leaves it (its encrypt and decrypt calls take
 * the associated data as their encryption context).
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #id()} is stable for the same key material, is stored in the record next to the
 *       ciphertext, and must not reveal the key (a name, or a one-way digest of the key).
 *   <li>{@link #encrypt} is authenticated encryption: it binds {@code associatedData}, and its
 *       output is self-contained (nonce, ciphertext and tag); every call uses a fresh nonce.
 *   <li>{@link #decrypt} throws {@link GeneralSecurityException} when the ciphertext is not
 *       authentic under this key and this associated data (wrong key, tampered bytes, moved to
 *       another record), and never returns unauthenticated bytes.
 *   <li>Neither method puts key material or plaintext in an exception message or a log.
 *   <li>Thread-safe.
 * </ul>
 */
public interface KeyEncryptionKey {

  /**
   * Returns the identifier recorded next to what this key encrypted, so that a reader can tell
   * which key it needs: 1 to 64 characters from {@code [A-Za-z0-9._:-]}.
   *
   * @return the identifier
   */
  String id();

  /**
   * Encrypts and authenticates a secret.
   *
   * @param plaintext the secret; the caller zeroes it afterwards
   * @param associatedData data that is authenticated, not encrypted: decryption succeeds only with
   *     the same bytes
   * @return the self-contained ciphertext
   */
  byte[] encrypt(byte[] plaintext, byte[] associatedData);

  /**
   * Authenticates and decrypts what {@link #encrypt} produced.
   *
   * @param ciphertext the output of {@link #encrypt}
   * @param associatedData the same associated data as given to {@link #encrypt}
   * @return the plaintext; the caller zeroes it after use
   * @throws GeneralSecurityException if the ciphertext is malformed or not authentic under this key
   *     and associated data
   */
  byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException;
}
