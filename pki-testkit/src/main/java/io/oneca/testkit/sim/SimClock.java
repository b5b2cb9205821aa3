package io.oneca.testkit.sim;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * One replica's clock in a simulation: the {@link SimScheduler}'s virtual time plus an offset that a
 * test skews or jumps (forwards or backwards), as real machines' clocks drift and get stepped by
 * NTP. Thread-safe.
 */
public final class SimClock implements InstantSource {
  private final SimScheduler scheduler;
  private volatile Duration offset = Duration.ZERO;

  /**
   * Creates a clock that follows {@code scheduler}'s virtual time exactly until skewed.
   *
   * @param scheduler the source of virtual time
   */
  public SimClock(SimScheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public Instant instant() {
    return scheduler.now().plus(offset);
  }

  /** Returns how far this clock is ahead of virtual time (negative: behind). */
  public Duration offset() {
    return offset;
  }

  /**
   * Sets the offset from virtual time.
   *
   * @param offset positive: this clock runs ahead; negative: behind
   */
  public void skew(Duration offset) {
    this.offset = Objects.requireNonNull(offset, "offset");
  }

  /**
   * Steps the clock by {@code amount} (a jump; negative steps back).
   *
   * @param amount the step
   */
  public void jump(Duration amount) {
    offset = offset.plus(Objects.requireNonNull(amount, "amount"));
  }

  @Override
  public String toString() {
    return "SimClock[" + instant() + ", offset " + offset + "]";
  }
}
