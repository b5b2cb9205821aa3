package io.oneca.samples.cloudcore.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What one soak run does. Build with {@link #builder(Path)}; every setter validates.
 *
 * @param runDir where keys, logs, edge directories (and the store's data) go
 * @param store which real store the driver starts for the replicas
 * @param duration how long faults are injected; the run also completes at least one full round of
 *     the fault schedule (every kind of fault at least once), so a short run still covers them all
 * @param edges how many edge nodes run in the driver's JVM
 * @param seed the seed of the fault schedule ({@code java.util.Random}): the same seed gives the
 *     same sequence of faults, targets and gaps
 * @param pingInterval how often each edge sends a ping, each over a fresh connection with a full handshake
 * @param minGap the shortest pause between two faults
 * @param maxGap the longest pause between two faults
 * @param identityTtl the lifetime of the replicas' serving certificates
 * @param edgeTtl the lifetime of edge certificates
 * @param convergenceBound how long a rotation, a restart or the end may take to converge before the run fails
 */
public record SoakOptions(
    Path runDir, StoreKind store, Duration duration, int edges, long seed, Duration pingInterval, Duration minGap,
    Duration maxGap, Duration identityTtl, Duration edgeTtl, Duration convergenceBound) {

  /** The real store under the replicas. */
  public enum StoreKind {
    /** A single etcd member (Debian's {@code etcd} binary), restarted with {@code EtcdMember.restart()}. */
    ETCD,
    /** Curator's in-process ZooKeeper {@code TestingServer}, restarted with {@code restart()}. */
    ZK;

    /**
     * Parses {@code etcd} or {@code zk}.
     *
     * @param text the name
     * @return the kind
     * @throws IllegalArgumentException for anything else
     */
    public static StoreKind parse(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "etcd" -> ETCD;
        case "zk", "zookeeper" -> ZK;
        default -> throw new IllegalArgumentException("--store must be etcd or zk, was " + text);
      };
    }
  }

  /** Validates every field (the builder's setters validate each one as it is set). */
  public SoakOptions {
    Objects.requireNonNull(runDir, "runDir");
    Objects.requireNonNull(store, "store");
    positive(duration, "duration");
    if (edges < 1 || edges > 500) {
      throw new IllegalArgumentException("edges must be 1 to 500, was " + edges);
    }
    positive(pingInterval, "pingInterval");
    positive(minGap, "minGap");
    positive(maxGap, "maxGap");
    if (maxGap.compareTo(minGap) < 0) {
      throw new IllegalArgumentException("maxGap must not be shorter than minGap");
    }
    positive(identityTtl, "identityTtl");
    positive(edgeTtl, "edgeTtl");
    positive(convergenceBound, "convergenceBound");
  }

  /**
   * Starts options.
   *
   * @param runDir the run directory
   * @return a builder with the defaults: etcd, 10 minutes, 50 edges, seed 1, a ping every 100 ms per
   *     edge, 3 to 8 s between faults, 5 min replica certificates, 3 min edge certificates, 60 s
   *     convergence bound
   */
  public static Builder builder(Path runDir) {
    return new Builder(runDir);
  }

  private static Duration positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
    return d;
  }

  /** Builds {@link SoakOptions}. */
  public static final class Builder {
    private final Path runDir;
    private StoreKind store = StoreKind.ETCD;
    private Duration duration = Duration.ofMinutes(10);
    private int edges = 50;
    private long seed = 1;
    private Duration pingInterval = Duration.ofMillis(100);
    private Duration minGap = Duration.ofSeconds(3);
    private Duration maxGap = Duration.ofSeconds(8);
    private Duration identityTtl = Duration.ofMinutes(5);
    private Duration edgeTtl = Duration.ofMinutes(3);
    private Duration convergenceBound = Duration.ofSeconds(60);

    private Builder(Path runDir) {
      this.runDir = Objects.requireNonNull(runDir, "runDir");
    }

    /** Sets the store (default etcd). */
    public Builder store(StoreKind kind) {
      this.store = Objects.requireNonNull(kind, "store");
      return this;
    }

    /** Sets how long faults are injected (default 10 min). */
    public Builder duration(Duration d) {
      this.duration = positive(d, "duration");
      return this;
    }

    /** Sets the number of edges, 1 to 500 (default 50). */
    public Builder edges(int n) {
      if (n < 1 || n > 500) {
        throw new IllegalArgumentException("edges must be 1 to 500, was " + n);
      }
      this.edges = n;
      return this;
    }

    /** Sets the fault schedule's seed (default 1). */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** Sets each edge's ping interval (default 100 ms). */
    public Builder pingInterval(Duration d) {
      this.pingInterval = positive(d, "pingInterval");
      return this;
    }

    /** Sets the bounds of the pause between faults (default 3 to 8 s). */
    public Builder gaps(Duration min, Duration max) {
      positive(min, "minGap");
      positive(max, "maxGap");
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException("maxGap must not be shorter than minGap");
      }
      this.minGap = min;
      this.maxGap = max;
      return this;
    }

    /** Sets the replicas' certificate lifetime (default 5 min). */
    public Builder identityTtl(Duration d) {
      this.identityTtl = positive(d, "identityTtl");
      return this;
    }

    /** Sets the edge certificate lifetime (default 3 min). */
    public Builder edgeTtl(Duration d) {
      this.edgeTtl = positive(d, "edgeTtl");
      return this;
    }

    /** Sets how long convergence may take (default 60 s). */
    public Builder convergenceBound(Duration d) {
      this.convergenceBound = positive(d, "convergenceBound");
      return this;
    }

    /** Builds the options. */
    public SoakOptions build() {
      return new SoakOptions(runDir, store, duration, edges, seed, pingInterval, minGap, maxGap, identityTtl, edgeTtl,
          convergenceBound);
    }
  }
}
