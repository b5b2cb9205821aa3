package io.oneca.core.rotation;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a CA's successor is prepared and when it is activated, as pure functions of the CA's validity.
 *
 * <p>A CA of lifetime {@code L} gets its successor prepared when {@code min(L * prepareShare,
 * prepareCap)} of its life is left, and activated when {@code min(L * activateShare, activateCap)} is
 * left. The default is SPIRE's rule: prepare at {@code min(L/2, 30 days)} left, activate at
 * {@code min(L/6, 7 days)} left. Preparing early gives every peer time to fetch a trust bundle that
 * holds the successor before it signs anything.
 *
 * @param prepareShare the share of the lifetime left at which to prepare; in (0, 1]
 * @param prepareCap the most time left at which to prepare; positive
 * @param activateShare the share of the lifetime left at which to activate; in (0, prepareShare]
 * @param activateCap the most time left at which to activate; positive, at most {@code prepareCap}
 */
public record RotationThresholds(double prepareShare, Duration prepareCap, double activateShare, Duration activateCap) {

  /** Validates the shares and caps. */
  public RotationThresholds {
    Objects.requireNonNull(prepareCap, "prepareCap");
    Objects.requireNonNull(activateCap, "activateCap");
    if (!(prepareShare > 0 && prepareShare <= 1)) {
      throw new IllegalArgumentException("prepareShare must be in (0, 1], was " + prepareShare);
    }
    if (!(activateShare > 0 && activateShare <= prepareShare)) {
      throw new IllegalArgumentException("activateShare must be in (0, prepareShare], was " + activateShare);
    }
    if (prepareCap.isNegative() || prepareCap.isZero() || activateCap.isNegative() || activateCap.isZero()) {
      throw new IllegalArgumentException("the caps must be positive");
    }
    if (activateCap.compareTo(prepareCap) > 0) {
      throw new IllegalArgumentException("activateCap " + activateCap + " must not exceed prepareCap " + prepareCap);
    }
  }

  /** SPIRE's rule: prepare at min(life/2, 30 days) left, activate at min(life/6, 7 days) left. */
  public static RotationThresholds spire() {
    return new RotationThresholds(0.5, Duration.ofDays(30), 1.0 / 6, Duration.ofDays(7));
  }

  /** Returns when a successor of {@code ca} should be prepared. */
  public Instant prepareAt(X509Certificate ca) {
    return ca.getNotAfter().toInstant().minus(left(ca, prepareShare, prepareCap));
  }

  /** Returns when a prepared successor of {@code ca} should be activated. */
  public Instant activateAt(X509Certificate ca) {
    return ca.getNotAfter().toInstant().minus(left(ca, activateShare, activateCap));
  }

  private static Duration left(X509Certificate ca, double share, Duration cap) {
    Duration life = Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant());
    Duration shareOfLife = Duration.ofMillis((long) (life.toMillis() * share));
    return shareOfLife.compareTo(cap) < 0 ? shareOfLife : cap;
  }
}
