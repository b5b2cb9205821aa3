package io.oneca.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link InstantSource} that tests set and advance by hand, so that expiry, renewal and backoff
 * are tested without sleeping. Thread-safe.
 */
public final class MutableClock implements InstantSource {
  private final AtomicReference<Instant> now;

  private MutableClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /**
   * Returns a clock standing at {@code start}.
   *
   * @param start the initial instant
   * @return the clock
   */
  public static MutableClock at(Instant start) {
    return new MutableClock(Objects.requireNonNull(start, "start"));
  }

  /** Returns a clock standing at the current system time. */
  public static MutableClock atSystemTime() {
    return at(Instant.now());
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves the clock forward.
   *
   * @param amount a non-negative duration
   * @return the new instant
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward; amount was " + amount);
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /**
   * Sets the clock to any instant, also backwards (to test clock steps).
   *
   * @param instant the new instant
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
