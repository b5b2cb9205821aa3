package io.oneca.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a certificate's remaining lifetime becomes a warning and when it becomes critical. Each
 * threshold is the smaller of a share of the certificate's whole lifetime and a cap, so one setting
 * suits a 24-hour leaf (warning with 4.8 hours left by default, after renewal at two thirds should
 * have happened) and a ten-year CA (warning with 30 days left). A pure function of the certificate's
 * validity and the time, so tests drive it with a clock.
 *
 * @param warningShare the share of the lifetime left at which to warn, in (0, 1)
 * @param warningCap the most time left at which to warn
 * @param criticalShare the share of the lifetime left that is critical, at most {@code warningShare}
 * @param criticalCap the most time left that is critical, at most {@code warningCap}
 */
public record ExpiryThresholds(double warningShare, Duration warningCap, double criticalShare, Duration criticalCap) {

  /** Defaults: warning at min(20% of lifetime, 30 days) left; critical at min(5%, 7 days). */
  public static final ExpiryThresholds DEFAULTS =
      new ExpiryThresholds(0.20, Duration.ofDays(30), 0.05, Duration.ofDays(7));

  /** Validates ranges. */
  public ExpiryThresholds {
    Objects.requireNonNull(warningCap, "warningCap");
    Objects.requireNonNull(criticalCap, "criticalCap");
    if (!(warningShare > 0 && warningShare < 1)) {
      throw new IllegalArgumentException("warningShare must be in (0, 1), was " + warningShare);
    }
    if (!(criticalShare > 0 && criticalShare <= warningShare)) {
      throw new IllegalArgumentException("criticalShare must be in (0, warningShare], was " + criticalShare);
    }
    if (warningCap.isNegative() || warningCap.isZero() || criticalCap.isNegative() || criticalCap.isZero()) {
      throw new IllegalArgumentException("caps must be positive");
    }
    if (criticalCap.compareTo(warningCap) > 0) {
      throw new IllegalArgumentException("criticalCap must not exceed warningCap");
    }
  }

  /**
   * Judges a certificate valid from {@code notBefore} to {@code notAfter} at {@code now}.
   *
   * @return the level; {@link ExpiryLevel#EXPIRED} outside the validity period
   */
  public ExpiryLevel level(Instant notBefore, Instant notAfter, Instant now) {
    if (now.isBefore(notBefore) || !now.isBefore(notAfter)) {
      return ExpiryLevel.EXPIRED;
    }
    Duration left = Duration.between(now, notAfter);
    Duration lifetime = Duration.between(notBefore, notAfter);
    if (left.compareTo(threshold(lifetime, criticalShare, criticalCap)) <= 0) {
      return ExpiryLevel.CRITICAL;
    }
    if (left.compareTo(threshold(lifetime, warningShare, warningCap)) <= 0) {
      return ExpiryLevel.WARNING;
    }
    return ExpiryLevel.OK;
  }

  private static Duration threshold(Duration lifetime, double share, Duration cap) {
    Duration shareOfLife = Duration.ofMillis((long) (lifetime.toMillis() * share));
    return shareOfLife.compareTo(cap) < 0 ? shareOfLife : cap;
  }
}
