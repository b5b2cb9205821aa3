package io.oneca.core.delivery;

import java.time.Instant;
import java.util.Objects;

/**
 * A consumer's statement that it has installed a trust bundle: the newest bundle version it
 * acknowledged, and when.
 *
 * @param consumer the consumer's name, as it subscribes to the {@link DeliveryHub}
 * @param bundleVersion the trust-bundle version installed, positive
 * @param at when the acknowledgement was recorded, by the {@link AckTracker}'s clock
 */
public record Acknowledgement(String consumer, long bundleVersion, Instant at) {

  /** Validates the fields. */
  public Acknowledgement {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(at, "at");
    if (bundleVersion <= 0) {
      throw new IllegalArgumentException(
          "bundleVersion must be positive, was " + bundleVersion + " for consumer '" + consumer + "'");
    }
  }
}
