package io.oneca.core;

import java.time.Duration;
import java.time.Instant;

/**
 * When to renew a certificate: a pure function of its validity, the renewal share and a jitter
 * sample, so that the schedule is tested without waiting.
 */
final class RenewalSchedule {
  private RenewalSchedule() {}

  /**
   * Returns the renewal instant: {@code notBefore + share * lifetime}, moved by
   * {@code jitterSample * jitterShare} of that offset (a sample in [-1, 1]), never after
   * {@code notAfter}.
   */
  static Instant renewAt(Instant notBefore, Instant notAfter, double share, double jitterShare, double jitterSample) {
    long lifetime = Duration.between(notBefore, notAfter).toMillis();
    long offset = (long) (lifetime * share);
    long jittered = offset + (long) (offset * jitterShare * Math.max(-1, Math.min(1, jitterSample)));
    Instant at = notBefore.plusMillis(Math.max(0, jittered));
    return at.isAfter(notAfter) ? notAfter : at;
  }
}
