package io.oneca.core.internal.record;

import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.core.internal.crypto.CaMaterial;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The CA record: what one store value holds about the CA all replicas share, with its rotation
 * slots.
 *
 * <p>The slots: {@code active} signs leaves now; {@code prepared}, when present, is the next CA,
 * already in the trust bundle so that peers trust it before it signs anything; {@code retired} are
 * earlier CAs (certificates only, no keys) kept in the trust bundle until the last leaf they signed
 * has expired. A cross-certificate, when present, certifies a slot's CA key under the previous CA so
 * that clients which only trust the previous root accept leaves of the new one.
 *
 * @param active the CA that signs leaves now
 * @param trustBundle the certificates peers trust; holds at least the root of the active CA and of
 *     the prepared CA (the last certificate of each chain)
 * @param createdAt when the record was first written
 * @param createdBy the replica that wrote it: 1 to 253 characters, no control characters
 * @param prepared the next CA, if one is prepared
 * @param preparedAt when the prepared CA was written, present exactly when {@code prepared} is
 * @param retired earlier CAs still trusted, oldest first
 * @param activeCross the active CA's certificate cross-signed by its predecessor, if any
 * @param preparedCross the prepared CA's certificate cross-signed by the active CA, if any
 */
public record CaRecord(
    CaMaterial active,
    List<X509Certificate> trustBundle,
    Instant createdAt,
    String createdBy,
    Optional<CaMaterial> prepared,
    Optional<Instant> preparedAt,
    List<RetiredCa> retired,
    Optional<X509Certificate> activeCross,
    Optional<X509Certificate> preparedCross) {

  /**
   * Validates the fields and copies the lists.
   *
   * @throws InvalidRequestException if the bundle is empty or lacks the root of the active or the
   *     prepared CA, {@code createdBy} is malformed, a
   *     cross-certificate or prepared time lacks its slot, or two slots hold the same CA
   */
  public CaRecord {
    Objects.requireNonNull(active, "active");
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(prepared, "prepared");
    Objects.requireNonNull(preparedAt, "preparedAt");
    retired = List.copyOf(retired);
    Objects.requireNonNull(activeCross, "activeCross");
    Objects.requireNonNull(preparedCross, "preparedCross");
    if (trustBundle.isEmpty()) {
      throw new InvalidRequestException("trustBundle", "must hold at least one certificate");
    }
    requireRoot(trustBundle, active, "active");
    if (prepared.isPresent()) {
      requireRoot(trustBundle, prepared.get(), "prepared");
    }
    if (createdBy.isEmpty() || createdBy.length() > 253 || createdBy.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("createdBy", "must be 1 to 253 characters without control characters");
    }
    if (prepared.isPresent() != preparedAt.isPresent()) {
      throw new InvalidRequestException("preparedAt", "must be present exactly when a CA is prepared");
    }
    if (preparedCross.isPresent() && prepared.isEmpty()) {
      throw new InvalidRequestException("preparedCross", "a cross-certificate needs a prepared CA");
    }
    Set<Fingerprint> seen = new HashSet<>();
    seen.add(active.fingerprint());
    if (prepared.isPresent() && !seen.add(prepared.get().fingerprint())) {
      throw new InvalidRequestException("prepared", "is the active CA");
    }
    for (RetiredCa old : retired) {
      if (!seen.add(old.fingerprint())) {
        throw new InvalidRequestException("retired", "holds " + old.fingerprint().shortForm() + " twice or as a live slot");
      }
    }
  }

  /** A record with only an active CA: what the bootstrap writes. */
  public CaRecord(CaMaterial active, List<X509Certificate> trustBundle, Instant createdAt, String createdBy) {
    this(active, trustBundle, createdAt, createdBy, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
        Optional.empty());
  }

  private static void requireRoot(List<X509Certificate> trustBundle, CaMaterial ca, String slot) {
    X509Certificate root = ca.chain().get(ca.chain().size() - 1);
    if (!trustBundle.contains(root)) {
      throw new InvalidRequestException("trustBundle", "does not hold the root " + Fingerprint.of(root).shortForm()
          + " of the " + slot + " CA " + ca.fingerprint().shortForm());
    }
  }

  /** Whether the record uses rotation state that older schemas cannot hold. */
  public boolean hasRotationState() {
    return prepared.isPresent() || !retired.isEmpty() || activeCross.isPresent();
  }
}
