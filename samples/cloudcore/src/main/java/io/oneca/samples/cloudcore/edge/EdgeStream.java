package io.oneca.samples.cloudcore.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.samples.cloudcore.http.Json;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's one hub stream: opens {@code /v1/hub/stream} on a replica over mTLS, reads its
 * server-sent events, and on any failure waits (exponential backoff with jitter) and moves on to
 * the next replica. A stream that stays silent longer than the idle timeout counts as broken.
 */
final class EdgeStream {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeStream.class);

  private final EdgeNode edge;
  private final Thread thread;
  private final AtomicLong connects = new AtomicLong();
  private volatile int index;
  private volatile SSLSocket socket;
  private volatile String connectedReplica;
  private volatile String activeCa;
  private volatile String latestBundle;
  private volatile long bundleVersion;

  EdgeStream(EdgeNode edge) {
    this.edge = edge;
    this.index = edge.settings().streamVia() % edge.settings().replicas().size();
    this.thread = new Thread(this::loop, "edge-" + edge.settings().node() + "-stream");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  int currentIndex() {
    return index;
  }

  long connects() {
    return connects.get();
  }

  Optional<String> connectedReplica() {
    return Optional.ofNullable(connectedReplica);
  }

  String activeCa() {
    return activeCa;
  }

  long bundleVersion() {
    return bundleVersion;
  }

  Optional<String> latestBundle() {
    return Optional.ofNullable(latestBundle);
  }

  private void loop() {
    List<ReplicaEndpoint> replicas = edge.settings().replicas();
    int failuresInARow = 0;
    while (edge.running()) {
      ReplicaEndpoint replica = replicas.get(index);
      boolean greeted = false;
      try {
        greeted = follow(replica);
        if (edge.running()) {
          edge.recordFailure(FailureKind.REPLICA_UNAVAILABLE, "hub stream at " + replica.name() + " ended");
        }
      } catch (IOException | RuntimeException e) {
        edge.recordFailure(FailureKind.of(e), "hub stream at " + replica.name() + ": " + e);
      } finally {
        connectedReplica = null;
        closeSocket();
      }
      if (!edge.running()) {
        return;
      }
      failuresInARow = greeted ? 1 : failuresInARow + 1;
      index = (index + 1) % replicas.size();
      long min = edge.settings().backoffMin().toMillis();
      long max = edge.settings().backoffMax().toMillis();
      long delay = Math.min(max, min << Math.min(failuresInARow - 1, 16));
      delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Follows one stream until it ends; returns whether the replica greeted the edge. */
  private boolean follow(ReplicaEndpoint replica) throws IOException {
    edge.countHandshake();
    SSLSocket s = TinyHttps.connect(edge.tls(), replica.hubAddress(), edge.settings().requestTimeout());
    socket = s;
    if (!edge.running()) {
      return false;
    }
    s.setSoTimeout((int) edge.settings().streamIdleTimeout().toMillis());
    TinyHttps.writeRequest(s, replica.hubAddress(), "GET", "/v1/hub/stream", null, false);
    InputStream in = new BufferedInputStream(s.getInputStream());
    int status = TinyHttps.readStatus(in);
    Map<String, String> headers = TinyHttps.readHeaders(in);
    if (status != 200) {
      throw new IOException("hub stream answered HTTP " + status + ": "
          + new String(TinyHttps.readAll(TinyHttps.bodyStream(in, headers)), StandardCharsets.UTF_8));
    }
    BufferedReader reader = new BufferedReader(new InputStreamReader(TinyHttps.bodyStream(in, headers), StandardCharsets.UTF_8));
    boolean greeted = false;
    String event = null;
    StringBuilder data = new StringBuilder();
    for (String line = reader.readLine(); line != null && edge.running(); line = reader.readLine()) {
      if (line.isEmpty()) {
        if (event != null) {
          greeted |= dispatch(replica, event, data.toString());
        }
        event = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
      // Lines starting with ':' are heartbeats: reading them resets the idle timeout.
    }
    return greeted;
  }

  private boolean dispatch(ReplicaEndpoint replica, String event, String data) throws IOException {
    JsonNode json = Json.tree(data);
    switch (event) {
      case "hello" -> {
        connectedReplica = replica.name();
        connects.incrementAndGet();
        LOG.info("edge {}: hub stream open at {} (epoch {})", edge.settings().node(), replica.name(), json.path("epoch").asLong());
        return true;
      }
      case "bundle" -> {
        long version = json.path("version").asLong();
        if (version > bundleVersion) {
          bundleVersion = version;
          activeCa = json.path("activeCa").asText();
          latestBundle = json.path("bundlePem").asText();
          edge.onBundle(version, activeCa, latestBundle);
        }
      }
      case "renew" -> edge.requestRenewal("the hub says: " + json.path("reason").asText());
      default -> LOG.debug("edge {}: ignoring event {}", edge.settings().node(), event);
    }
    return false;
  }

  private void closeSocket() {
    SSLSocket s = socket;
    socket = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("closing a hub stream: {}", e.toString());
      }
    }
  }

  /** Closes the current stream's socket (if any); the loop notices and reconnects. */
  void drop() {
    closeSocket();
  }

  void close() {
    closeSocket();
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
