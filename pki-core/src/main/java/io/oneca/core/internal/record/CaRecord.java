package io.oneca.core.internal.record;

import io.oneca.api.InvalidRequestException;
import io.oneca.core.internal.crypto.CaMaterial;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The CA record, schema 1: what one store value holds about the CA all replicas share.
 *
 * @param active the CA that signs leaves now
 * @param trustBundle the certificates peers trust; holds at least the active root
 * @param createdAt when the record was first written
 * @param createdBy the replica that wrote it: 1 to 253 characters, no control characters
 */
public record CaRecord(CaMaterial active, List<X509Certificate> trustBundle, Instant createdAt, String createdBy) {

  /**
   * Validates the fields and copies the bundle.
   *
   * @throws InvalidRequestException if the bundle is empty or {@code createdBy} is malformed
   */
  public CaRecord {
    Objects.requireNonNull(active, "active");
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
    if (trustBundle.isEmpty()) {
      throw new InvalidRequestException("trustBundle", "must hold at least one certificate");
    }
    if (createdBy.isEmpty() || createdBy.length() > 253 || createdBy.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("createdBy", "must be 1 to 253 characters without control characters");
    }
  }
}
