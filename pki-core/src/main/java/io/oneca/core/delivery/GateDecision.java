package io.oneca.core.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link ActivationGate} decided for a target trust-bundle version at one instant, and why:
 * the status view of an acknowledged rotation. {@link #lagging()} names every live consumer that has
 * not acknowledged a bundle at or after the target, also when the gate is open (after a deadline or
 * with a share below one), so that operators can see whom a rotation left behind.
 *
 * @param open whether the prepared CA may be activated now
 * @param reason why the gate is open or still closed
 * @param targetBundleVersion the first trust-bundle version that contains the prepared CA
 * @param liveCount the number of live consumers considered
 * @param acknowledgedCount how many of them acknowledged the target or a later version
 * @param requiredCount how many acknowledgements the configured share requires
 * @param deadline when the gate opens regardless of acknowledgements
 * @param decidedAt the gate clock's instant at the decision
 * @param lagging the live consumers that have not acknowledged the target, sorted by name
 */
public record GateDecision(
    boolean open,
    Reason reason,
    long targetBundleVersion,
    int liveCount,
    int acknowledgedCount,
    int requiredCount,
    Instant deadline,
    Instant decidedAt,
    List<Lagging> lagging) {

  /** Validates and copies. */
  public GateDecision {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(decidedAt, "decidedAt");
    lagging = List.copyOf(lagging);
    if (open != reason.opens()) {
      throw new IllegalArgumentException("open=" + open + " contradicts reason " + reason);
    }
  }

  /** Returns the names of the lagging consumers, sorted. */
  public List<String> laggingConsumers() {
    return lagging.stream().map(Lagging::consumer).toList();
  }

  /** Why a gate is open or closed. */
  public enum Reason {
    /** Closed: too few live consumers acknowledged the target and the deadline has not passed. */
    WAITING,
    /** Open: every live consumer acknowledged the target or a later version. */
    ALL_ACKNOWLEDGED,
    /** Open: at least the configured share (below one) of live consumers acknowledged. */
    SHARE_REACHED,
    /**
     * Closed: no live consumer at all (on any replica, when the acknowledgements are shared); an
     * empty set is no evidence that nobody needs the new bundle, so the gate waits for the deadline.
     */
    NO_LIVE_CONSUMERS,
    /** Open: the deadline passed before enough acknowledgements arrived; see {@link #lagging()}. */
    DEADLINE_PASSED;

    /** Returns whether a decision for this reason lets the activation proceed. */
    public boolean opens() {
      return this == ALL_ACKNOWLEDGED || this == SHARE_REACHED || this == DEADLINE_PASSED;
    }
  }

  /**
   * A live consumer that has not acknowledged the target version.
   *
   * @param consumer the consumer's name
   * @param lastAcknowledgement its newest acknowledgement of an older version, or empty if it never
   *     acknowledged any
   */
  public record Lagging(String consumer, Optional<Acknowledgement> lastAcknowledgement) {
    /** Validates the fields. */
    public Lagging {
      Objects.requireNonNull(consumer, "consumer");
      Objects.requireNonNull(lastAcknowledgement, "lastAcknowledgement");
    }
  }
}
