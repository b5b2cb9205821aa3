package io.oneca.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a bound, for tests of asynchronous behaviour (a store event, a
 * renewal, a reload): polls every 10 ms and fails with the condition's description when the bound
 * passes, so no test sleeps for a guessed time and none waits forever.
 */
public final class Await {
  private static final long POLL_MILLIS = 10;

  private Await() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @param description what is awaited, for the failure message
   * @param timeout the bound
   * @param condition the condition; polled from the calling thread
   * @throws AssertionError if the condition does not hold within {@code timeout}
   */
  public static void until(String description, Duration timeout, BooleanSupplier condition) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not met within " + timeout.toMillis() + " ms: " + description);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while awaiting: " + description, e);
      }
    }
  }

  /** Like {@link #until(String, Duration, BooleanSupplier)} with a 20-second bound. */
  public static void until(String description, BooleanSupplier condition) {
    until(description, Duration.ofSeconds(20), condition);
  }
}
