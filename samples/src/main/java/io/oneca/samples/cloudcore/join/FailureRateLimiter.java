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
  private final int burst;
  private final double tokensPerNano;
  private final InstantSource clock;
  private final Cache<String, Bucket> buckets;

  private FailureRateLimiter(int burst, int refillTokens, Duration refillPeriod, long maxSources, InstantSource clock) {
    this.burst = burst;
    this.tokensPerNano = (double) refillTokens / refillPeriod.toNanos();
    this.clock = clock;
    Duration untilFull = Duration.ofNanos((long) Math.ceil(2.0 * burst / tokensPerNano));
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
    double missing = 1.0 - bucket.tokensAt(nanos(clock.instant()));
    if (missing <= 0) {
      return Optional.empty();
    }
    long waitNanos = (long) Math.ceil(missing / tokensPerNano);
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
      Bucket charged = bucket == null ? new Bucket(burst, now) : bucket;
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

  /** Tokens left at a point in time; mutated only inside the map's compute. */
  private final class Bucket {
    private double tokens;
    private long updatedNanos;

    Bucket(double tokens, long nowNanos) {
      this.tokens = tokens;
      this.updatedNanos = nowNanos;
    }

    synchronized double tokensAt(long nowNanos) {
      return Math.min(burst, tokens + Math.max(0, nowNanos - updatedNanos) * tokensPerNano);
    }

    synchronized void charge(long nowNanos) {
      tokens = Math.max(-burst, tokensAt(nowNanos) - 1);
      updatedNanos = Math.max(updatedNanos, nowNanos);
    }
  }
}
