package io.oneca.core.health;

import io.oneca.api.Fingerprint;
import java.time.Instant;
import java.util.Objects;

/**
 * A certificate crossed an expiry threshold (or recovered by renewal): raised once per change of
 * level, not on every check.
 *
 * @param certificate which certificate, for example {@code ca} or {@code identity:server}
 * @param level the level now
 * @param previous the level at the previous check
 * @param fingerprint the certificate's fingerprint
 * @param notAfter when it expires
 * @param at when the change was seen
 */
public record ExpiryAlert(
    String certificate, ExpiryLevel level, ExpiryLevel previous, Fingerprint fingerprint, Instant notAfter,
    Instant at) {

  /** Validates presence. */
  public ExpiryAlert {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(at, "at");
  }
}
