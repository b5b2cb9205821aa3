package io.oneca.samples.cloudcore.soak;

import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeSettings;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
import io.oneca.samples.cloudcore.join.JoinTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The soak's edge nodes, in the driver's JVM, and a sampler that records each edge's trust bundle
 * version once a second and counts every time one went backwards.
 */
final class EdgeFleet implements AutoCloseable {
  private final List<EdgeNode> edges = new ArrayList<>();
  private final Map<String, Long> lastBundleVersion = new HashMap<>();
  private final List<String> regressions = new ArrayList<>();
  private long samples;

  /**
   * Joins {@code count} edges through different replicas (each with its own token) and starts them.
   *
   * @return the edges that started (a failed start is logged)
   */
  static EdgeFleet start(int count, Path dir, List<ReplicaEndpoint> replicas, JoinTokens tokens, String caPin,
      Duration pingInterval, Consumer<String> log) throws InterruptedException {
    EdgeFleet fleet = new EdgeFleet();
    ExecutorService starter = Executors.newFixedThreadPool(Math.min(8, count));
    try {
      List<Future<EdgeNode>> starting = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String node = "edge-" + (i + 1);
        EdgeSettings settings = EdgeSettings.builder(node, dir.resolve(node), replicas)
            .token(tokens.mint(node, Duration.ofMinutes(10), Instant.now()), Set.of(caPin))
            .joinVia(i % replicas.size())
            .streamVia((i + 1) % replicas.size())
            .pingInterval(pingInterval)
            .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
            .fullHandshakes(true)
            .build();
        starting.add(starter.submit(() -> EdgeNode.start(settings)));
      }
      for (Future<EdgeNode> f : starting) {
        try {
          fleet.edges.add(f.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
          log.accept("an edge failed to start: " + (e.getCause() == null ? e : e.getCause()));
        }
      }
    } finally {
      starter.shutdownNow();
    }
    return fleet;
  }

  List<EdgeNode> edges() {
    return List.copyOf(edges);
  }

  List<EdgeStatus> statuses() {
    return edges.stream().map(EdgeNode::status).toList();
  }

  /** Records every edge's bundle version; called once a second by the driver. */
  synchronized void sample() {
    for (EdgeNode edge : edges) {
      EdgeStatus s = edge.status();
      samples++;
      Long last = lastBundleVersion.put(s.node(), s.bundleVersion());
      if (last != null && s.bundleVersion() < last) {
        regressions.add(s.node() + ": bundle version " + last + " -> " + s.bundleVersion());
      }
    }
  }

  synchronized List<String> regressions() {
    return List.copyOf(regressions);
  }

  synchronized long samples() {
    return samples;
  }

  /** Closes the hub stream connections of a random share (1 to a third) of the edges; returns how many. */
  int dropSome(Random random) {
    int n = 1 + random.nextInt(Math.max(1, edges.size() / 3));
    List<EdgeNode> shuffled = new ArrayList<>(edges);
    java.util.Collections.shuffle(shuffled, random);
    shuffled.subList(0, n).forEach(EdgeNode::dropConnections);
    return n;
  }

  long handshakes() {
    return statuses().stream().mapToLong(EdgeStatus::handshakes).sum();
  }

  static Map<FailureKind, Long> failures(List<EdgeStatus> statuses) {
    Map<FailureKind, Long> sum = new EnumMap<>(FailureKind.class);
    for (EdgeStatus s : statuses) {
      s.failures().forEach((k, v) -> sum.merge(k, v, Long::sum));
    }
    return sum;
  }

  @Override
  public void close() {
    edges.forEach(EdgeNode::close);
  }
}
