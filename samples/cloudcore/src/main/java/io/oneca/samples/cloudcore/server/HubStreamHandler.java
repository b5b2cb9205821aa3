package io.oneca.samples.cloudcore.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.oneca.api.CaView;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.DeliverySubscription;
import io.oneca.samples.cloudcore.http.Exchanges;
import io.oneca.samples.cloudcore.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/hub/stream}: an edge's long-lived server-sent-event stream. The edge is the
 * common name of its verified client certificate. Each stream is one {@link DeliveryHub}
 * subscription: its epoch is sent in the {@code hello} event, the newest trust bundle arrives at
 * once (level-triggered) and again on every change, and when the active CA is not the one that
 * signed the edge's certificate the stream adds a {@code renew} notice. The subscription is closed
 * synchronously when the stream ends, and closing it can only remove this stream's own epoch: an
 * edge that reconnected elsewhere is never unsubscribed by its old connection's cleanup.
 */
final class HubStreamHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HubStreamHandler.class);
  /** Each open stream holds one thread of the hub listener: beyond this many, new ones get 503. */
  static final int MAX_STREAMS = 2_000;

  private final String replicaId;
  private final DeliveryHub<CaView> hub;
  private final String item;
  private final Duration heartbeat;
  private final HubStats stats;
  private final BooleanSupplier running;

  HubStreamHandler(String replicaId, DeliveryHub<CaView> hub, String item, Duration heartbeat, HubStats stats,
      BooleanSupplier running) {
    this.replicaId = replicaId;
    this.hub = hub;
    this.item = item;
    this.heartbeat = heartbeat;
    this.stats = stats;
    this.running = running;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET")) {
      Exchanges.sendError(exchange, 405, "method_not_allowed", "use GET");
      return;
    }
    Optional<X509Certificate> peer = Exchanges.peerCertificate(exchange);
    Optional<String> node = peer.flatMap(c -> Exchanges.commonName(c.getSubjectX500Principal()));
    if (node.isEmpty()) {
      Exchanges.sendError(exchange, 403, "no_client_identity", "a client certificate with a common name is required");
      return;
    }
    if (stats.openStreams() >= MAX_STREAMS) {
      exchange.getResponseHeaders().set("Retry-After", "5");
      Exchanges.sendError(exchange, 503, "too_many_streams", "this replica holds " + MAX_STREAMS
          + " hub streams; retry later or use another replica");
      return;
    }
    Fingerprint issuer = issuerOf(peer.get());
    Signal signal = new Signal();
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(200, 0);
    stats.openStreams.incrementAndGet();
    stats.streamsOpened.incrementAndGet();
    try (OutputStream out = exchange.getResponseBody();
        DeliverySubscription subscription = hub.subscribe(node.get(), item, signal::offer)) {
      LOG.info("hub stream opened: node {} epoch {} on {}", node.get(), subscription.epoch(), replicaId);
      write(out, "hello", Map.of("replica", replicaId, "node", node.get(), "epoch", subscription.epoch()));
      long sentVersion = 0;
      String noticedFor = null;
      while (running.getAsBoolean()) {
        Versioned<CaView> latest = signal.await(heartbeat);
        if (latest == null || latest.version() <= sentVersion) {
          out.write(Exchanges.utf8(": heartbeat\n\n"));
          out.flush();
          continue;
        }
        sentVersion = latest.version();
        CaView view = latest.value();
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("version", latest.version());
        bundle.put("activeCa", view.fingerprint().sha256Hex());
        bundle.put("bundlePem", view.trustBundlePem());
        write(out, "bundle", bundle);
        stats.bundleEvents.incrementAndGet();
        String active = view.fingerprint().sha256Hex();
        if (issuer != null && !issuer.sha256Hex().equals(active) && !active.equals(noticedFor)) {
          noticedFor = active;
          write(out, "renew", Map.of("reason", "ca-rotated", "activeCa", active));
          stats.renewNotices.incrementAndGet();
        }
      }
    } catch (IOException e) {
      LOG.debug("hub stream of {} ended: {}", node.get(), e.toString());
    } finally {
      stats.openStreams.decrementAndGet();
    }
  }

  /** The fingerprint of the CA that signed a client certificate, if the bundle can name it. */
  private Fingerprint issuerOf(X509Certificate leaf) {
    Optional<Versioned<CaView>> latest = hub.latest(item);
    if (latest.isEmpty()) {
      return null;
    }
    for (X509Certificate ca : latest.get().value().trustBundle()) {
      if (ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
        try {
          leaf.verify(ca.getPublicKey());
          return Fingerprint.of(ca);
        } catch (java.security.GeneralSecurityException e) {
          // not this one
        }
      }
    }
    return null;
  }

  private static void write(OutputStream out, String event, Object data) throws IOException {
    out.write(Exchanges.utf8("event: " + event + "\ndata: " + Json.text(data) + "\n\n"));
    out.flush();
  }

  /** Holds the newest delivered value and wakes the stream's thread. */
  private static final class Signal {
    private final AtomicReference<Versioned<CaView>> latest = new AtomicReference<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long seen;

    void offer(Versioned<CaView> value) {
      latest.accumulateAndGet(value, (a, b) -> a == null || b.version() > a.version() ? b : a);
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Returns the newest value if it is newer than the last one returned, after waiting at most {@code max}. */
    Versioned<CaView> await(Duration max) throws IOException {
      long deadline = System.nanoTime() + max.toNanos();
      lock.lock();
      try {
        while (true) {
          Versioned<CaView> now = latest.get();
          if (now != null && now.version() > seen) {
            seen = now.version();
            return now;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          changed.await(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } finally {
        lock.unlock();
      }
    }
  }
}
