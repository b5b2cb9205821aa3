package io.oneca.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * How often and how patiently OneCA retries a store that is unavailable: exponential backoff with
 * jitter, bounded in attempts. Between attempts OneCA always re-reads the store, so a retried
 * bootstrap never acts on a write whose outcome it does not know.
 *
 * @param maxAttempts how many read/write rounds to try before giving up; at least 1
 * @param initialBackoff the wait after the first failure; positive
 * @param maxBackoff the longest wait between attempts; at least {@code initialBackoff}
 * @param jitter the random share added to or taken from each wait, in {@code [0, 1)}; spreads the
 *     retries of replicas that failed at the same moment
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

  /** Validates the fields. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
    }
  }

  /**
   * The default: 12 attempts, 100 ms doubling to at most 5 s, 20% jitter: about half a minute of
   * patience, enough for an etcd leader election or a ZooKeeper reconnect.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(12, Duration.ofMillis(100), Duration.ofSeconds(5), 0.2);
  }

  /**
   * Returns the wait before attempt {@code failedAttempts + 1}.
   *
   * @param failedAttempts how many attempts failed so far; at least 1
   * @param random the source of jitter
   * @return the wait
   */
  public Duration backoff(int failedAttempts, Random random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be at least 1, was " + failedAttempts);
    }
    long base = initialBackoff.toNanos();
    for (int i = 1; i < failedAttempts && base < maxBackoff.toNanos(); i++) {
      base *= 2;
    }
    base = Math.min(base, maxBackoff.toNanos());
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofNanos(Math.max(1, (long) (base * factor)));
  }
}
