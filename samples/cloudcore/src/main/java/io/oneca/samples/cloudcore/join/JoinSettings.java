package io.oneca.samples.cloudcore.join;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How the join endpoint issues and what it tolerates. Build with {@link #builder()}; {@link
 * #defaults()} gives every default.
 *
 * @param leafTtl lifetime of an issued node certificate (capped by OneCA at the CA's expiry)
 * @param maxBodyBytes the largest request body read
 * @param failureBurst failed attempts a source may make in a row
 * @param failureRefillTokens attempts given back per {@code failureRefillPeriod}
 * @param failureRefillPeriod see {@code failureRefillTokens}
 * @param maxTrackedSources most source addresses the rate limiter remembers at once
 * @param clock judges token expiry and drives the rate limiter
 */
public record JoinSettings(
    Duration leafTtl,
    int maxBodyBytes,
    int failureBurst,
    int failureRefillTokens,
    Duration failureRefillPeriod,
    long maxTrackedSources,
    InstantSource clock) {
  /** Default {@link #leafTtl()}: 1 hour; edges renew well before. */
  public static final Duration DEFAULT_LEAF_TTL = Duration.ofHours(1);
  /** Default {@link #maxBodyBytes()}: 16 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
  /** Default {@link #failureBurst()}: 10. */
  public static final int DEFAULT_FAILURE_BURST = 10;
  /** Default {@link #failureRefillTokens()}: 10 (per minute). */
  public static final int DEFAULT_FAILURE_REFILL_TOKENS = 10;
  /** Default {@link #failureRefillPeriod()}: 1 minute. */
  public static final Duration DEFAULT_FAILURE_REFILL_PERIOD = Duration.ofMinutes(1);
  /** Default {@link #maxTrackedSources()}: 100,000 (a few MiB at most). */
  public static final long DEFAULT_MAX_TRACKED_SOURCES = 100_000;

  /** Validates the settings (the builder's checks, for direct construction). */
  public JoinSettings {
    requirePositive(leafTtl, "leafTtl");
    if (maxBodyBytes < 1024 || maxBodyBytes > JoinRequest.MAX_BODY_BYTES) {
      throw new IllegalArgumentException("maxBodyBytes must be 1024 to " + JoinRequest.MAX_BODY_BYTES + ", was " + maxBodyBytes);
    }
    if (failureBurst < 1 || failureRefillTokens < 1) {
      throw new IllegalArgumentException("failureBurst and failureRefillTokens must be positive, were " + failureBurst
          + " and " + failureRefillTokens);
    }
    requirePositive(failureRefillPeriod, "failureRefillPeriod");
    if (maxTrackedSources < 1) {
      throw new IllegalArgumentException("maxTrackedSources must be positive, was " + maxTrackedSources);
    }
    Objects.requireNonNull(clock, "clock");
  }

  /** Returns the defaults: 1 h leaves, 16 KiB bodies, 10 failures then 10 per minute, 100,000 sources, system clock. */
  public static JoinSettings defaults() {
    return builder().build();
  }

  /** Returns a builder; each setting may be set once. */
  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + duration);
    }
  }

  /** Builds {@link JoinSettings}. Not thread-safe. */
  public static final class Builder {
    private Duration leafTtl;
    private int maxBodyBytes = -1;
    private int failureBurst = -1;
    private int failureRefillTokens = -1;
    private Duration failureRefillPeriod;
    private long maxTrackedSources = -1;
    private InstantSource clock;

    private Builder() {}

    /**
     * Sets the node certificate lifetime. Default: {@link #DEFAULT_LEAF_TTL}.
     *
     * @param ttl positive
     * @return this builder
     */
    public Builder leafTtl(Duration ttl) {
      requireUnset(leafTtl == null, "leafTtl");
      requirePositive(ttl, "leafTtl");
      this.leafTtl = ttl;
      return this;
    }

    /**
     * Sets the body limit; larger bodies get 413. Default: {@link #DEFAULT_MAX_BODY_BYTES}.
     *
     * @param bytes 1024 to {@link JoinRequest#MAX_BODY_BYTES}
     * @return this builder
     */
    public Builder maxBodyBytes(int bytes) {
      requireUnset(maxBodyBytes < 0, "maxBodyBytes");
      if (bytes < 1024 || bytes > JoinRequest.MAX_BODY_BYTES) {
        throw new IllegalArgumentException("maxBodyBytes must be 1024 to " + JoinRequest.MAX_BODY_BYTES + ", was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the failure budget of one source: {@code burst} failures, then {@code refillTokens} per
     * {@code refillPeriod}. Default: 10, then 10 per minute.
     *
     * @param burst positive
     * @param refillTokens positive
     * @param refillPeriod positive
     * @return this builder
     */
    public Builder failureBudget(int burst, int refillTokens, Duration refillPeriod) {
      requireUnset(failureBurst < 0, "failureBudget");
      if (burst < 1 || refillTokens < 1) {
        throw new IllegalArgumentException("burst and refillTokens must be positive, were " + burst + " and " + refillTokens);
      }
      requirePositive(refillPeriod, "refillPeriod");
      this.failureBurst = burst;
      this.failureRefillTokens = refillTokens;
      this.failureRefillPeriod = refillPeriod;
      return this;
    }

    /**
     * Sets how many source addresses the rate limiter remembers. Default: {@link #DEFAULT_MAX_TRACKED_SOURCES}.
     *
     * @param sources positive
     * @return this builder
     */
    public Builder maxTrackedSources(long sources) {
      requireUnset(maxTrackedSources < 0, "maxTrackedSources");
      if (sources < 1) {
        throw new IllegalArgumentException("maxTrackedSources must be positive, was " + sources);
      }
      this.maxTrackedSources = sources;
      return this;
    }

    /**
     * Sets the clock. Default: {@link InstantSource#system()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      requireUnset(this.clock == null, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the settings, defaults for everything not set. */
    public JoinSettings build() {
      return new JoinSettings(
          leafTtl == null ? DEFAULT_LEAF_TTL : leafTtl,
          maxBodyBytes < 0 ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes,
          failureBurst < 0 ? DEFAULT_FAILURE_BURST : failureBurst,
          failureRefillTokens < 0 ? DEFAULT_FAILURE_REFILL_TOKENS : failureRefillTokens,
          failureRefillPeriod == null ? DEFAULT_FAILURE_REFILL_PERIOD : failureRefillPeriod,
          maxTrackedSources < 0 ? DEFAULT_MAX_TRACKED_SOURCES : maxTrackedSources,
          clock == null ? InstantSource.system() : clock);
    }

    private static void requireUnset(boolean unset, String name) {
      if (!unset) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
