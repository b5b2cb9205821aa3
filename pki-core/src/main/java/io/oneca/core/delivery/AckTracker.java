package io.oneca.core.delivery;

import java.time.InstantSource;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records, per consumer, the newest trust-bundle version it acknowledged as installed. An
 * acknowledgement only moves forward: a late or repeated acknowledgement of an older version (for
 * example from a consumer's previous connection) is ignored. Thread-safe.
 *
 * <p>Acknowledgements are kept per consumer name, not per connection: they describe what the node
 * has installed, which a reconnect does not change. Do not {@link #forget} a consumer when one of its
 * connections closes (a late cleanup would erase what its new connection acknowledged); the
 * {@link ActivationGate} already ignores consumers that are not live.
 *
 * <p>CA rotation reads it through {@link io.oneca.core.rotation.ActivationCondition#acknowledged}, which
 * shares every replica's acknowledgements through the store.
 */
public final class AckTracker {
  private final InstantSource clock;
  private final Map<String, Acknowledgement> acks = new ConcurrentHashMap<>();

  private AckTracker(InstantSource clock) {
    this.clock = clock;
  }

  /**
   * Returns an empty tracker.
   *
   * @param clock stamps each acknowledgement; inject a fixed or mutable clock in tests
   * @return the tracker
   */
  public static AckTracker create(InstantSource clock) {
    return new AckTracker(Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Records that a consumer installed a trust-bundle version.
   *
   * @param consumer the consumer's name
   * @param bundleVersion the version installed, positive
   * @return {@code true} if this advanced the consumer's acknowledged version
   * @throws IllegalArgumentException if {@code bundleVersion} is not positive
   */
  public boolean acknowledge(String consumer, long bundleVersion) {
    Acknowledgement ack = new Acknowledgement(consumer, bundleVersion, clock.instant());
    boolean[] advanced = new boolean[1];
    acks.compute(consumer, (k, previous) -> {
      if (previous != null && previous.bundleVersion() >= bundleVersion) {
        return previous;
      }
      advanced[0] = true;
      return ack;
    });
    return advanced[0];
  }

  /** Returns a consumer's newest acknowledgement, if it made one. */
  public Optional<Acknowledgement> acknowledgement(String consumer) {
    return Optional.ofNullable(acks.get(Objects.requireNonNull(consumer, "consumer")));
  }

  /** Returns every consumer's newest acknowledgement, sorted by consumer name. */
  public Map<String, Acknowledgement> snapshot() {
    return Collections.unmodifiableMap(new TreeMap<>(acks));
  }

  /** Forgets a consumer that is gone for good (decommissioned), never on a mere disconnect. */
  public void forget(String consumer) {
    acks.remove(Objects.requireNonNull(consumer, "consumer"));
  }

  /** Returns the number of consumers with an acknowledgement. */
  public int size() {
    return acks.size();
  }
}
