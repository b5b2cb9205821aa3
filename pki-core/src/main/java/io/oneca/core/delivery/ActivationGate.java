package io.oneca.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Decides whether a prepared CA may be activated: only once all (or a configured share) of the live
 * consumers acknowledged a trust bundle that contains it, or once a deadline passed. Activating a
 * CA before its consumers trust it breaks every handshake with a leaf it signs; waiting forever for a
 * dead consumer stalls rotation, hence the deadline. With no live consumer at all the gate waits for
 * the deadline too: an empty set is what a replica sees when its consumers are connected to another
 * replica, or have not reconnected yet, so it is no evidence that nobody needs the new bundle.
 *
 * <p>{@link #decide} is a pure function of its arguments and the gate's clock: it keeps no state,
 * so rotation may call it on every acknowledgement, on a timer, or after a restart.
 *
 * <p>Trust-bundle versions only grow, and a bundle that contains the prepared CA is followed only by
 * bundles that still contain it until it is activated; so "acknowledged a bundle containing it" is
 * "acknowledged the target version or a later one".
 *
 * <p>CA rotation consults it through {@link io.oneca.core.rotation.ActivationCondition#acknowledged},
 * which feeds it the live consumers and acknowledgements of every replica, recorded in the store.
 */
public final class ActivationGate {
  private final double requiredShare;
  private final Duration maxWait;
  private final InstantSource clock;

  private ActivationGate(Builder builder) {
    this.requiredShare = builder.requiredShare == null ? 1.0 : builder.requiredShare;
    this.maxWait = builder.maxWait == null ? Duration.ofHours(24) : builder.maxWait;
    this.clock = builder.clock == null ? InstantSource.system() : builder.clock;
  }

  /** Returns a builder; every setting is optional. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the share of live consumers that must acknowledge, in {@code (0, 1]}. */
  public double requiredShare() {
    return requiredShare;
  }

  /** Returns how long after preparation the gate opens regardless of acknowledgements. */
  public Duration maxWait() {
    return maxWait;
  }

  /**
   * Decides whether the CA first contained in trust-bundle version {@code targetBundleVersion} may
   * be activated now.
   *
   * @param targetBundleVersion the first bundle version containing the prepared CA, positive
   * @param preparedAt when the bundle was published; the deadline is {@code preparedAt + maxWait}
   * @param liveConsumers the consumers currently subscribed to the trust bundle (for example
   *     {@link DeliveryHub#liveConsumers}, or their union over all replicas); acknowledgements of
   *     others are ignored; when empty, the gate opens only at the deadline
   * @param acknowledgements each consumer's newest acknowledgement (for example
   *     {@link AckTracker#snapshot()})
   * @return the decision, naming the lagging consumers
   */
  public GateDecision decide(long targetBundleVersion, Instant preparedAt, Collection<String> liveConsumers,
      Map<String, Acknowledgement> acknowledgements) {
    if (targetBundleVersion <= 0) {
      throw new IllegalArgumentException("targetBundleVersion must be positive, was " + targetBundleVersion);
    }
    Objects.requireNonNull(preparedAt, "preparedAt");
    Objects.requireNonNull(liveConsumers, "liveConsumers");
    Objects.requireNonNull(acknowledgements, "acknowledgements");
    Instant now = clock.instant();
    Instant deadline = preparedAt.plus(maxWait);
    List<GateDecision.Lagging> lagging = new ArrayList<>();
    int acknowledged = 0;
    TreeSet<String> live = new TreeSet<>(liveConsumers);
    for (String consumer : live) {
      Acknowledgement ack = acknowledgements.get(consumer);
      if (ack != null && ack.bundleVersion() >= targetBundleVersion) {
        acknowledged++;
      } else {
        lagging.add(new GateDecision.Lagging(consumer, Optional.ofNullable(ack)));
      }
    }
    int required = requiredCount(live.size());
    GateDecision.Reason reason;
    if (live.isEmpty()) {
      reason = !now.isBefore(deadline) ? GateDecision.Reason.DEADLINE_PASSED : GateDecision.Reason.NO_LIVE_CONSUMERS;
    } else if (acknowledged == live.size()) {
      reason = GateDecision.Reason.ALL_ACKNOWLEDGED;
    } else if (acknowledged >= required) {
      reason = GateDecision.Reason.SHARE_REACHED;
    } else if (!now.isBefore(deadline)) {
      reason = GateDecision.Reason.DEADLINE_PASSED;
    } else {
      reason = GateDecision.Reason.WAITING;
    }
    return new GateDecision(reason.opens(), reason, targetBundleVersion, live.size(),
        acknowledged, required, deadline, now, lagging);
  }

  // The smallest count whose share of "live" reaches requiredShare, tolerant of binary fractions
  // (0.9 * 10 must require 9, not 10).
  int requiredCount(int live) {
    return (int) Math.ceil(requiredShare * live - 1e-9);
  }

  @Override
  public String toString() {
    return "ActivationGate[requiredShare=" + requiredShare + ", maxWait=" + maxWait + "]";
  }

  /** Configures an {@link ActivationGate}; each setting may be set once. */
  public static final class Builder {
    private Double requiredShare;
    private Duration maxWait;
    private InstantSource clock;

    private Builder() {}

    /**
     * Sets the share of live consumers that must acknowledge before the deadline. Default {@code 1.0}
     * (every live consumer).
     *
     * @param share in {@code (0, 1]}
     * @return this builder
     */
    public Builder requiredShare(double share) {
      if (requiredShare != null) {
        throw new IllegalStateException("requiredShare was already set to " + requiredShare);
      }
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("requiredShare must be in (0, 1], was " + share);
      }
      this.requiredShare = share;
      return this;
    }

    /**
     * Sets how long after preparation the gate opens even without enough acknowledgements. Default
     * 24 hours.
     *
     * @param maxWait positive
     * @return this builder
     */
    public Builder maxWait(Duration maxWait) {
      Objects.requireNonNull(maxWait, "maxWait");
      if (this.maxWait != null) {
        throw new IllegalStateException("maxWait was already set to " + this.maxWait);
      }
      if (maxWait.isNegative() || maxWait.isZero()) {
        throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
      }
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Sets the clock the deadline is checked against. Default {@link InstantSource#system()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      Objects.requireNonNull(clock, "clock");
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set");
      }
      this.clock = clock;
      return this;
    }

    /** Returns the gate. */
    public ActivationGate build() {
      return new ActivationGate(this);
    }
  }
}
