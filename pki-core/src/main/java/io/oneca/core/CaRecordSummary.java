package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The public part of a stored CA record, as {@link CaRecordInspector} reads it without the CA key:
 * what operators' tools print and compare.
 *
 * @param storeKey the store key of the record
 * @param storeVersion the store version it was read at
 * @param schema the record's schema (1: plaintext CA key, 2: encrypted CA key)
 * @param fingerprint the SHA-256 fingerprint of the active CA certificate
 * @param chain the active CA certificate first, then any issuers above it
 * @param trustBundle the certificates peers trust
 * @param keyAlgorithm the CA key's algorithm
 * @param keyEncrypted whether the CA key is encrypted with a key-encryption key in the store
 * @param keyEncryptionKeyId that key's id (never the key), for an encrypted CA key
 * @param createdAt when the record was first written
 * @param createdBy the replica that wrote it
 */
public record CaRecordSummary(
    String storeKey,
    long storeVersion,
    int schema,
    Fingerprint fingerprint,
    List<X509Certificate> chain,
    List<X509Certificate> trustBundle,
    KeyAlgorithm keyAlgorithm,
    boolean keyEncrypted,
    Optional<String> keyEncryptionKeyId,
    Instant createdAt,
    String createdBy) {

  /** Validates presence and copies the lists. */
  public CaRecordSummary {
    Objects.requireNonNull(storeKey, "storeKey");
    Objects.requireNonNull(fingerprint, "fingerprint");
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(keyEncryptionKeyId, "keyEncryptionKeyId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain must not be empty");
    }
  }

  /** Returns the active CA certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the start of the active CA certificate's validity. */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /** Returns the end of the active CA certificate's validity. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }
}
