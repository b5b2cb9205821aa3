package io.oneca.samples.cloudcore.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How one edge node runs.
 *
 * @param node the node's name: its certificate's common name and DNS name, and its token's binding
 * @param directory where its key, certificate and trust bundle are published
 * @param token the bootstrap token, needed only when the directory holds no identity yet (never logged)
 * @param caPins SHA-256 fingerprints of CAs the join server may chain to, given with the token
 * @param replicas every cloud replica the edge may use
 * @param joinVia index of the replica to join through first
 * @param streamVia index of the replica to keep the hub stream with first
 * @param pingInterval how often the edge sends a request over a fresh mTLS connection
 * @param renewAtShare the share of its certificate's lifetime after which the edge renews
 * @param backoffMin the first reconnect delay
 * @param backoffMax the largest reconnect delay
 * @param requestTimeout connect and read timeout of one request
 * @param streamIdleTimeout how long a hub stream may stay silent before the edge reconnects
 * @param fullHandshakes whether every ping uses a new TLS context, so that no session is resumed
 *     and every ping's handshake verifies both certificates (for soak tests); otherwise TLS
 *     sessions may be resumed as by any client
 */
public record EdgeSettings(
    String node, Path directory, String token, Set<String> caPins, List<ReplicaEndpoint> replicas, int joinVia,
    int streamVia, Duration pingInterval, double renewAtShare, Duration backoffMin, Duration backoffMax,
    Duration requestTimeout, Duration streamIdleTimeout, boolean fullHandshakes) {

  /** Validates every field. */
  public EdgeSettings {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(directory, "directory");
    caPins = Set.copyOf(caPins);
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("at least one replica is required");
    }
    if (joinVia < 0 || streamVia < 0) {
      throw new IllegalArgumentException("replica indexes must not be negative");
    }
    if (!(renewAtShare > 0 && renewAtShare < 1)) {
      throw new IllegalArgumentException("renewAtShare must be between 0 and 1, was " + renewAtShare);
    }
    for (Duration d : List.of(pingInterval, backoffMin, backoffMax, requestTimeout, streamIdleTimeout)) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive, was " + d);
      }
    }
    if (backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("backoffMax must not be shorter than backoffMin");
    }
  }

  /**
   * Starts settings for a node.
   *
   * @param node the node's name
   * @param directory its identity directory
   * @param replicas the replicas it may use
   * @return a builder with the defaults: ping every 500 ms, renew at 2/3, backoff 100 ms to 3 s,
   *     5 s request timeout, 10 s stream idle timeout, TLS sessions may be resumed
   */
  public static Builder builder(String node, Path directory, List<ReplicaEndpoint> replicas) {
    return new Builder(node, directory, replicas);
  }

  @Override
  public String toString() {
    return "EdgeSettings[node=" + node + ", directory=" + directory + ", replicas=" + replicas + ", token hidden]";
  }

  /** Builds {@link EdgeSettings}. */
  public static final class Builder {
    private final String node;
    private final Path directory;
    private final List<ReplicaEndpoint> replicas;
    private String token;
    private Set<String> caPins = Set.of();
    private int joinVia;
    private int streamVia;
    private Duration pingInterval = Duration.ofMillis(500);
    private double renewAtShare = 2.0 / 3.0;
    private Duration backoffMin = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(3);
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Duration streamIdleTimeout = Duration.ofSeconds(10);
    private boolean fullHandshakes;

    private Builder(String node, Path directory, List<ReplicaEndpoint> replicas) {
      this.node = node;
      this.directory = directory;
      this.replicas = replicas;
    }

    /** Sets the bootstrap token and the CA pins it came with. */
    public Builder token(String token, Set<String> caPins) {
      this.token = Objects.requireNonNull(token, "token");
      this.caPins = Objects.requireNonNull(caPins, "caPins");
      return this;
    }

    /** Sets which replica to join through first (default 0). */
    public Builder joinVia(int index) {
      this.joinVia = index;
      return this;
    }

    /** Sets which replica to stream from first (default 0). */
    public Builder streamVia(int index) {
      this.streamVia = index;
      return this;
    }

    /** Sets the ping interval (default 500 ms). */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = interval;
      return this;
    }

    /** Sets when to renew, as a share of the certificate's lifetime (default 2/3). */
    public Builder renewAtShare(double share) {
      this.renewAtShare = share;
      return this;
    }

    /** Sets the reconnect backoff bounds (default 100 ms to 3 s). */
    public Builder backoff(Duration min, Duration max) {
      this.backoffMin = min;
      this.backoffMax = max;
      return this;
    }

    /** Sets the per-request timeout (default 5 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** Sets the hub stream idle timeout (default 10 s; keep it above the replicas' heartbeat). */
    public Builder streamIdleTimeout(Duration timeout) {
      this.streamIdleTimeout = timeout;
      return this;
    }

    /** Sets whether every ping makes a full handshake, never resuming a TLS session (default false). */
    public Builder fullHandshakes(boolean full) {
      this.fullHandshakes = full;
      return this;
    }

    /** Builds and validates the settings. */
    public EdgeSettings build() {
      return new EdgeSettings(node, directory, token, caPins, replicas, joinVia, streamVia, pingInterval, renewAtShare,
          backoffMin, backoffMax, requestTimeout, streamIdleTimeout, fullHandshakes);
    }
  }
}
