package io.oneca.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The probabilistic faults of a {@link SimStore}, drawn from its seed at every operation and
 * delivery. The first group keeps the store within the {@link io.oneca.api.store.VersionedStore}
 * contract (a real, correct backend on a bad network behaves so); the second models a buggy
 * backend and is kept apart so that a simulation can run with or without it.
 *
 * @param unavailable share of operations that fail with {@code StoreUnavailableException} without
 *     being applied
 * @param lostReply share of applied operations whose reply is lost: the caller gets
 *     {@code StoreUnavailableException} (for writes with {@code writeOutcomeUnknown}) although the
 *     operation took effect
 * @param maxReplyDelay each operation is applied, and its reply arrives, after a delay drawn from
 *     {@code [0, maxReplyDelay]}
 * @param maxDeliveryDelay each subscription delivery is published after a delay drawn from
 *     {@code [0, maxDeliveryDelay]}, so deliveries can be reordered; subscribers never see an older
 *     state after a newer one (the store coalesces, as the contract requires)
 * @param duplicateDelivery share of changes the backend observes twice (harmless by contract)
 * @param buggyStaleDelivery buggy backend: share of changes after which the previous state is
 *     also handed to listeners directly, late, bypassing the ordering guarantee
 * @param buggyDroppedDelivery buggy backend: share of changes never delivered to subscribers
 */
public record StoreFaults(
    double unavailable,
    double lostReply,
    Duration maxReplyDelay,
    Duration maxDeliveryDelay,
    double duplicateDelivery,
    double buggyStaleDelivery,
    double buggyDroppedDelivery) {

  /** No faults, no delays. */
  public static final StoreFaults NONE = new StoreFaults(0, 0, Duration.ZERO, Duration.ZERO, 0, 0, 0);

  /** Validates the shares (each in [0, 1]) and delays (not negative). */
  public StoreFaults {
    Objects.requireNonNull(maxReplyDelay, "maxReplyDelay");
    Objects.requireNonNull(maxDeliveryDelay, "maxDeliveryDelay");
    for (double share : new double[] {unavailable, lostReply, duplicateDelivery, buggyStaleDelivery,
        buggyDroppedDelivery}) {
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("shares must be in [0, 1], was " + share);
      }
    }
    if (maxReplyDelay.isNegative() || maxDeliveryDelay.isNegative()) {
      throw new IllegalArgumentException("delays must not be negative");
    }
  }

  /** Returns whether any fault of the buggy-backend group is on. */
  public boolean buggy() {
    return buggyStaleDelivery > 0 || buggyDroppedDelivery > 0;
  }

  /** Returns these faults with failures and buggy deliveries off, keeping the delays. */
  public StoreFaults healthy() {
    return new StoreFaults(0, 0, maxReplyDelay, maxDeliveryDelay, duplicateDelivery, 0, 0);
  }
}
