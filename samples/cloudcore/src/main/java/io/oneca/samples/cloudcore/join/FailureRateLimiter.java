package io.oneca.samples.cloudcore.join;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A token bucket per source address, charged only for <b>failed</b> join attempts: a source may
 * fail {@code burst} times in a row, then once per refill interval ({@code refillPeriod /
 * refillTokens}); a successful join costs nothing. The join endpoint asks {@link #check} before it
 * reads a body, so a source over its budget costs one map lookup.
 *
 * <p>Sources are IPv4 addresses, and IPv6 {@code /64} networks (one host usually owns a whole
 * {@code /64}, so per-address buckets would be free to evade). A failure beyond the budget (from
 * requests that were already running when the budget ran out) is still charged, down to
 * {@code -burst}, so concurrency cannot buy extra attempts. Memory is bounded: at most
 * {@code maxSources} buckets, each dropped once it would be full again (no information lost); under
 * a flood of more sources than that, the least recently used buckets are forgotten and those
 * sources start with a full budget. Time comes from the injected clock. Thread-safe.
 */
public final class FailureRateLimiter {
  /** Budget is kept in nanoseconds of refill time: exact integer arithmetic, one token = this many. */
  private final long nanosPerToken;
  private final long fullNanos;
  private final InstantSource clock;
  private final Cache<String, Bucket> buckets;

  private FailureRateLimiter(int burst, int refillTokens, Duration refillPeriod, long maxSources, InstantSource clock) {
    this.nanosPerToken = Math.max(1, refillPeriod.toNanos() / refillTokens);
    try {
      this.fullNanos = Math.multiplyExact(nanosPerToken, (long) burst);
      Math.multiplyExact(fullNanos, 2L);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("failure budget too large: " + burst + " attempts of " + refillPeriod
          + " / " + refillTokens, e);
    }
    this.clock = clock;
    Duration untilFull = Duration.ofNanos(2 * fullNanos);
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxSources)
        .expireAfterAccess(untilFull)
        .ticker(() -> nanos(clock.instant()))
        .executor(Runnable::run)
        .build();
  }

  /**
   * Creates a limiter from the rate-limit part of the settings.
   *
   * @param settings burst, refill and bound on tracked sources, and the clock
   * @return the limiter
   */
  public static FailureRateLimiter of(JoinSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return new FailureRateLimiter(settings.failureBurst(), settings.failureRefillTokens(),
        settings.failureRefillPeriod(), settings.maxTrackedSources(), settings.clock());
  }

  /**
   * Returns whether a source may make another attempt.
   *
   * @param source the client's address
   * @return empty if it may; otherwise how long until it may (at least one second)
   */
  public Optional<Duration> check(InetAddress source) {
    Bucket bucket = buckets.getIfPresent(sourceKey(source));
    if (bucket == null) {
      return Optional.empty();
    }
    long waitNanos = nanosPerToken - bucket.creditAt(nanos(clock.instant()));
    if (waitNanos <= 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L)));
  }

  /**
   * Charges one failed attempt to a source.
   *
   * @param source the client's address
   */
  public void recordFailure(InetAddress source) {
    long now = nanos(clock.instant());
    buckets.asMap().compute(sourceKey(source), (key, bucket) -> {
      Bucket charged = bucket == null ? new Bucket(fullNanos, now) : bucket;
      charged.charge(now);
      return charged;
    });
  }

  /** Returns how many sources are being tracked now (approximate; for health and tests). */
  public long trackedSources() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  /** The bucket key: the IPv4 address, or the IPv6 /64 network. */
  static String sourceKey(InetAddress source) {
    Objects.requireNonNull(source, "source");
    if (source instanceof Inet6Address) {
      return HexFormat.of().formatHex(Arrays.copyOf(source.getAddress(), 8)) + "::/64";
    }
    return source.getHostAddress();
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /** Budget left (in nanoseconds of refill) at a point in time, between -full and full. */
  private final class Bucket {
    private long credit;
    private long updatedNanos;

    Bucket(long credit, long nowNanos) {
      this.credit = credit;
      this.updatedNanos = nowNanos;
    }

    synchronized long creditAt(long nowNanos) {
      long elapsed = Math.min(2 * fullNanos, Math.max(0, nowNanos - updatedNanos));
      return Math.min(fullNanos, credit + elapsed);
    }

    synchronized void charge(long nowNanos) {
      credit = Math.max(-fullNanos, creditAt(nowNanos) - nanosPerToken);
      updatedNanos = Math.max(updatedNanos, nowNanos);
    }
  }
}
