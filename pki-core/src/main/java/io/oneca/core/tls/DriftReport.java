package io.oneca.core.tls;

import io.oneca.api.Fingerprint;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of comparing the certificate a listener actually serves with the one it should serve.
 *
 * @param target what was checked, for example {@code 127.0.0.1:8443} or {@code key-manager}
 * @param drifted whether the served certificate differs from the expected one (or none was served)
 * @param expected the fingerprint of the certificate that should be served
 * @param served the fingerprint of the certificate that was served, if the handshake got that far
 * @param checkedAt when the check ran
 * @param detail a sentence for operators
 */
public record DriftReport(
    String target, boolean drifted, Fingerprint expected, Optional<Fingerprint> served, Instant checkedAt,
    String detail) {

  /** Validates presence. */
  public DriftReport {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(served, "served");
    Objects.requireNonNull(checkedAt, "checkedAt");
    Objects.requireNonNull(detail, "detail");
  }
}
