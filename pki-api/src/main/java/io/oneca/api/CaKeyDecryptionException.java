package io.oneca.api;

import java.util.Optional;

/**
 * A stored CA record holds an encrypted CA key that this replica cannot decrypt: no
 * key-encryption key is configured, the configured key has another id than the one the record
 * names, or the ciphertext does not authenticate (wrong key material, a tampered record, or a
 * record copied to another store key). Also thrown when a replica that requires an encrypted CA key
 * finds a plaintext one.
 *
 * <p>Like every {@link UnreadableRecordException}, the record is never overwritten: configure the
 * key it names ({@link #requiredKeyId()}) and start again.
 */
public class CaKeyDecryptionException extends UnreadableRecordException {
  private static final long serialVersionUID = 1L;

  private final String requiredKeyId;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store that holds the record
   * @param key the store key of the record
   * @param version the store version of the record, or {@code 0} when not known
   * @param requiredKeyId the id of the key-encryption key the record names, or {@code null} when
   *     the record holds a plaintext key
   * @param reason why the key cannot be decrypted; never key material
   * @param cause the underlying failure, or {@code null}
   */
  public CaKeyDecryptionException(
      String backend, String key, long version, String requiredKeyId, String reason, Throwable cause) {
    super(backend, key, version, reason, cause);
    this.requiredKeyId = requiredKeyId;
  }

  /**
   * Returns the id of the key-encryption key the record was encrypted with; empty when the record
   * holds a plaintext key.
   */
  public Optional<String> requiredKeyId() {
    return Optional.ofNullable(requiredKeyId);
  }
}
