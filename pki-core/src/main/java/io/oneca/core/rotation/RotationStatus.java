package io.oneca.core.rotation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The rotation state of the CA record at one store version.
 *
 * @param storeVersion the store version this status was read from
 * @param active the CA that signs now
 * @param prepared the next CA, if prepared
 * @param retired earlier CAs still trusted, oldest first
 * @param trustBundle the certificates peers should trust now
 * @param prepareAt when the active CA's successor is due to be prepared
 * @param activateAt when a prepared successor is due to be activated
 */
public record RotationStatus(
    long storeVersion,
    CaSlot active,
    Optional<CaSlot> prepared,
    List<CaSlot> retired,
    List<X509Certificate> trustBundle,
    Instant prepareAt,
    Instant activateAt) {

  /** Validates and copies. */
  public RotationStatus {
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(prepared, "prepared");
    retired = List.copyOf(retired);
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(prepareAt, "prepareAt");
    Objects.requireNonNull(activateAt, "activateAt");
  }
}
