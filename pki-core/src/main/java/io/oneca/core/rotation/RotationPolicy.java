package io.oneca.core.rotation;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replica rotates the CA: thresholds, whether it does so on its own, cross-signing, an
 * offline root for intermediate mode, an activation condition, and the cap on leaf lifetimes that
 * keeps retired CAs' retention short. Build with {@link #builder()}; {@link #defaults()} is what a
 * {@code OneCa} uses when none is set.
 *
 * @param thresholds when to prepare and activate; default {@link RotationThresholds#spire()}
 * @param automatic whether this replica prepares, activates and prunes on its own; default true
 * @param checkInterval how often the automatic step runs; default one minute
 * @param crossSign whether a prepared root is cross-signed by the active one; default false (ignored
 *     in intermediate mode, where the offline root anchors every intermediate)
 * @param offlineRoot the offline root of intermediate mode, if any
 * @param activationCondition what an automatic activation waits for, if anything
 * @param maxLeafTtlShare leaves live at most this share of their CA's lifetime; default 1/6
 */
public record RotationPolicy(
    RotationThresholds thresholds,
    boolean automatic,
    Duration checkInterval,
    boolean crossSign,
    Optional<OfflineRoot> offlineRoot,
    Optional<ActivationCondition> activationCondition,
    double maxLeafTtlShare) {

  /** Validates. */
  public RotationPolicy {
    Objects.requireNonNull(thresholds, "thresholds");
    Objects.requireNonNull(checkInterval, "checkInterval");
    Objects.requireNonNull(offlineRoot, "offlineRoot");
    Objects.requireNonNull(activationCondition, "activationCondition");
    if (checkInterval.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException("checkInterval must be at least 10 ms, was " + checkInterval);
    }
    if (!(maxLeafTtlShare > 0 && maxLeafTtlShare <= 1)) {
      throw new IllegalArgumentException("maxLeafTtlShare must be in (0, 1], was " + maxLeafTtlShare);
    }
  }

  /** The defaults: SPIRE thresholds, automatic every minute, no cross-signing, no offline root, leaves at most 1/6. */
  public static RotationPolicy defaults() {
    return builder().build();
  }

  /** Returns a builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RotationPolicy}; every setter validates. */
  public static final class Builder {
    private RotationThresholds thresholds = RotationThresholds.spire();
    private boolean automatic = true;
    private Duration checkInterval = Duration.ofMinutes(1);
    private boolean crossSign;
    private OfflineRoot offlineRoot;
    private ActivationCondition activationCondition;
    private double maxLeafTtlShare = 1.0 / 6;

    private Builder() {}

    /** Sets the thresholds. Default {@link RotationThresholds#spire()}. */
    public Builder thresholds(RotationThresholds thresholds) {
      this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
      return this;
    }

    /** Turns the automatic step off (rotate only through {@code CaRotation} calls) or on. Default on. */
    public Builder automatic(boolean automatic) {
      this.automatic = automatic;
      return this;
    }

    /** Sets how often the automatic step runs; at least 10 ms. Default one minute. */
    public Builder checkInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("checkInterval must be at least 10 ms, was " + interval);
      }
      this.checkInterval = interval;
      return this;
    }

    /** Cross-signs each prepared root with the active one, for clients that trust only the old root. Default off. */
    public Builder crossSign(boolean crossSign) {
      this.crossSign = crossSign;
      return this;
    }

    /** Switches to intermediate mode under an offline root. Default: none (the stored CA is a root). */
    public Builder offlineRoot(OfflineRoot root) {
      this.offlineRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    /** Makes automatic activation wait for a condition, for example acknowledgements. Default: none. */
    public Builder activationCondition(ActivationCondition condition) {
      this.activationCondition = Objects.requireNonNull(condition, "condition");
      return this;
    }

    /** Caps leaf lifetimes at this share of the issuing CA's lifetime; in (0, 1]. Default 1/6. */
    public Builder maxLeafTtlShare(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("maxLeafTtlShare must be in (0, 1], was " + share);
      }
      this.maxLeafTtlShare = share;
      return this;
    }

    /** Builds the policy. */
    public RotationPolicy build() {
      return new RotationPolicy(thresholds, automatic, checkInterval, crossSign, Optional.ofNullable(offlineRoot),
          Optional.ofNullable(activationCondition), maxLeafTtlShare);
    }
  }
}
