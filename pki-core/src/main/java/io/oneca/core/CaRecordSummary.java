package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import io.oneca.core.rotation.CaSlot;

/**
 * The public part of a stored CA record, as {@link CaRecordInspector} reads it without the CA key:
 * what operators' tools print and compare.
 *
 * @param storeKey the store key of the record
 * @param storeVersion the store version it was read at
 * @param schema the record's schema (1: plaintext CA key, 2: encrypted CA key)
 * @param active the CA that signs now (its certificate chain, and its cross-certificate if any)
 * @param prepared the next CA, trusted but not signing yet, if one is prepared
 * @param retired earlier CAs still trusted until their last leaf expired, oldest first
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
    CaSlot active,
    Optional<CaSlot> prepared,
    List<CaSlot> retired,
    List<X509Certificate> trustBundle,
    KeyAlgorithm keyAlgorithm,
    boolean keyEncrypted,
    Optional<String> keyEncryptionKeyId,
    Instant createdAt,
    String createdBy) {

  /** Validates presence and copies the lists. */
  public CaRecordSummary {
    Objects.requireNonNull(storeKey, "storeKey");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(prepared, "prepared");
    retired = List.copyOf(retired);
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(keyEncryptionKeyId, "keyEncryptionKeyId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
  }

  /** Returns the fingerprint of the active CA certificate: what replicas report and compare. */
  public Fingerprint fingerprint() {
    return active.fingerprint();
  }

  /** Returns the active CA certificate first, then any issuers above it. */
  public List<X509Certificate> chain() {
    return active.chain();
  }

  /** Returns the active CA certificate. */
  public X509Certificate certificate() {
    return active.certificate();
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
