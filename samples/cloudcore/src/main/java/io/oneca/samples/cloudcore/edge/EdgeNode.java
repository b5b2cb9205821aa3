package io.oneca.samples.cloudcore.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.Pem;
import io.oneca.core.files.FileIdentitySource;
import io.oneca.core.tls.TlsContexts;
import io.oneca.samples.cloudcore.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge node: joins once with a bootstrap token, then lives on its identity directory. It keeps
 * one hub stream open to a replica (reconnecting with backoff to the next replica when it breaks),
 * takes every new trust bundle from it into {@code ca.crt}, renews its certificate through the hub
 * before it expires and whenever the active CA is not the one that signed it, and sends pings over
 * fresh mTLS connections to every replica in turn, counting each failure by its cause. Its TLS
 * material comes from the directory through {@link FileIdentitySource}, so a certificate file
 * swapped by someone else is picked up too.
 */
public final class EdgeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  private final EdgeSettings settings;
  private final EdgeFiles files;
  private final Map<FailureKind, LongAdder> failures = new ConcurrentHashMap<>();
  private final AtomicLong pingsOk = new AtomicLong();
  private final AtomicLong renewals = new AtomicLong();
  private final AtomicLong pingCounter = new AtomicLong();
  private final AtomicLong handshakes = new AtomicLong();
  private final AtomicLong pingsRetried = new AtomicLong();
  private final AtomicLong pingsUnanswered = new AtomicLong();
  private final AtomicBoolean renewalQueued = new AtomicBoolean();
  private final ScheduledExecutorService timers;
  private final ScheduledExecutorService renewer;
  private final EdgeStream stream;
  private volatile boolean running = true;
  private volatile String lastFailure;
  private volatile String lastPingSerial;
  private volatile String joinedVia;
  private FileIdentitySource source;
  private SSLContext tls;
  private long tlsGeneration;
  private java.math.BigInteger trackedSerial;
  private Instant trackedSince;

  private EdgeNode(EdgeSettings settings) {
    this.settings = settings;
    this.files = new EdgeFiles(settings.directory());
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("edge-" + settings.node() + "-ping"));
    this.renewer = Executors.newSingleThreadScheduledExecutor(daemon("edge-" + settings.node() + "-renew"));
    this.stream = new EdgeStream(this);
  }

  /**
   * Starts an edge: joins if its directory holds no identity yet, then opens the hub stream and
   * starts pinging and renewing.
   *
   * @param settings how to run
   * @return the running edge
   * @throws JoinRefusedException if a replica refused the join for good (bad token, bad request)
   * @throws IOException if no replica could be reached before the join gave up
   */
  public static EdgeNode start(EdgeSettings settings) throws IOException {
    EdgeNode edge = new EdgeNode(settings);
    try {
      if (!edge.files.complete()) {
        edge.joinedVia = new EdgeJoin(settings, edge.files).run();
      }
      edge.source = FileIdentitySource.builder(edge.files.certificate(), edge.files.key())
          .trustFile(edge.files.bundle())
          .pollInterval(Duration.ofSeconds(1))
          .start();
      edge.tlsGeneration = edge.source.reloads();
      edge.tls = edge.freshTls();
      edge.stream.start();
      edge.timers.scheduleWithFixedDelay(edge::pingAndCheck, 0, settings.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
      return edge;
    } catch (IOException | RuntimeException e) {
      edge.close();
      throw e;
    }
  }

  EdgeSettings settings() {
    return settings;
  }

  EdgeFiles files() {
    return files;
  }

  /**
   * Returns the TLS context for the next connection: a new one after every reload of the identity
   * directory. Invalidating a context's cached sessions is not enough: a TLS 1.3 session ticket that
   * arrives on a connection opened before the reload is cached after the invalidation, and resuming
   * it would present the old certificate again.
   */
  synchronized SSLContext tls() {
    long reloads = source.reloads();
    if (reloads != tlsGeneration) {
      tlsGeneration = reloads;
      tls = freshTls();
    }
    return tls;
  }

  /** A new context over the same managers, with an empty session cache (for tests and probes). */
  SSLContext freshTls() {
    // Every connection takes its context from tls(), a new one per identity reload: wrapping the key
    // manager (which hides it from TlsContexts' session invalidation) loses nothing.
    return TlsContexts.sslContext(new PresentingKeyManager(source.keyManager()), source.trustManager().orElseThrow());
  }

  boolean running() {
    return running;
  }

  /** Called by the stream with each new bundle. */
  void onBundle(long version, String activeCa, String bundlePem) {
    try {
      boolean published = false;
      // Under the files' lock: a renewal publishing at the same time must not be undone by this
      // read-modify-write of the directory (nor this bundle by the renewal's older one).
      synchronized (files) {
        if (!files.readBundle().map(bundlePem::equals).orElse(false)) {
          files.publishBundle(bundlePem);
          published = true;
        }
      }
      if (published) {
        source.checkNow();
        LOG.info("edge {}: trust bundle of store version {} published", settings.node(), version);
      }
    } catch (IOException | UncheckedIOException e) {
      recordFailure(FailureKind.BAD_ANSWER, "cannot publish the new bundle: " + e);
    }
    if (!activeCa.equals(issuerFingerprint())) {
      requestRenewal("the active CA is " + activeCa.substring(0, 16));
    }
  }

  /** Queues one renewal (several requests coalesce into one). */
  void requestRenewal(String reason) {
    if (running && renewalQueued.compareAndSet(false, true)) {
      LOG.info("edge {}: renewing: {}", settings.node(), reason);
      renewer.execute(this::renew);
    }
  }

  private void renew() {
    renewalQueued.set(false);
    if (!renewalDue()) {
      return;
    }
    Csrs csr = Csrs.forNode(settings.node());
    byte[] body = Json.bytes(Map.of("csr", csr.csrPem()));
    List<ReplicaEndpoint> replicas = settings.replicas();
    int first = stream.currentIndex();
    for (int i = 0; i < replicas.size() && running; i++) {
      ReplicaEndpoint replica = replicas.get((first + i) % replicas.size());
      try {
        countHandshake();
        TinyHttps.Response answer = TinyHttps.exchange(tls(), replica.hubAddress(), "POST", "/v1/hub/renew", body,
            settings.requestTimeout());
        if (answer.status() != 200) {
          recordFailure(FailureKind.BAD_ANSWER, "renewal at " + replica.name() + ": HTTP " + answer.status() + " " + answer.text());
          continue;
        }
        JsonNode json = Json.tree(answer.body());
        synchronized (files) {
          // The newest bundle, read under the lock that bundle updates take (see onBundle).
          String bundle = stream.latestBundle().orElse(json.path("caBundlePem").asText());
          files.publish(csr.keyPem(), json.path("certificateChainPem").asText(), bundle);
        }
        source.checkNow();
        renewals.incrementAndGet();
        LOG.info("edge {}: renewed at {}, serial {}", settings.node(), replica.name(), json.path("serial").asText());
        return;
      } catch (IOException | UncheckedIOException e) {
        recordFailure(FailureKind.of(e), "renewal at " + replica.name() + ": " + e);
      }
    }
    if (running) {
      renewer.schedule(() -> requestRenewal("retrying a failed renewal"), settings.backoffMax().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Whether a renewal is still needed when its turn comes: requests coalesce, and a notice may
   * arrive after the renewal it asked for already happened.
   */
  private boolean renewalDue() {
    String active = stream.activeCa();
    if (active != null && !active.equals(issuerFingerprint())) {
      return true;
    }
    try {
      return Instant.now().isAfter(renewAt(leaf()));
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /**
   * When to renew {@code leaf}: after {@code renewAtShare} of its lifetime, counted from when the
   * edge first saw it rather than from {@code notBefore}, which issuers backdate (OneCA by one
   * minute) for clock skew: with a short lifetime the backdated part would make every new
   * certificate due at once.
   */
  private synchronized Instant renewAt(X509Certificate leaf) {
    if (!leaf.getSerialNumber().equals(trackedSerial)) {
      trackedSerial = leaf.getSerialNumber();
      Instant notBefore = leaf.getNotBefore().toInstant();
      Instant now = Instant.now();
      trackedSince = now.isAfter(notBefore) ? now : notBefore;
    }
    long lifetime = leaf.getNotAfter().getTime() - trackedSince.toEpochMilli();
    return trackedSince.plusMillis((long) (settings.renewAtShare() * Math.max(0, lifetime)));
  }

  private void pingAndCheck() {
    try {
      if (Instant.now().isAfter(renewAt(leaf()))) {
        requestRenewal("its certificate reached " + Math.round(settings.renewAtShare() * 100) + "% of its lifetime");
      }
    } catch (IOException | RuntimeException e) {
      recordFailure(FailureKind.BAD_ANSWER, "cannot read its own certificate: " + e);
    }
    List<ReplicaEndpoint> replicas = settings.replicas();
    long n = pingCounter.getAndIncrement();
    // A replica that cannot be reached is retried on the next one at once; a certificate or trust
    // failure is not retried: it is the failure the checks are about.
    boolean metUnavailable = false;
    for (int attempt = 0; attempt < replicas.size() && running; attempt++) {
      ReplicaEndpoint replica = replicas.get((int) ((n + attempt) % replicas.size()));
      try {
        countHandshake();
        TinyHttps.Response answer = TinyHttps.exchange(settings.fullHandshakes() ? freshTls() : tls(), replica.hubAddress(),
            "GET", "/v1/hub/ping", null,
            settings.requestTimeout());
        if (answer.status() == 200) {
          pingsOk.incrementAndGet();
          if (metUnavailable) {
            pingsRetried.incrementAndGet();
          }
          lastPingSerial = Json.tree(answer.body()).path("clientSerial").asText();
        } else {
          recordFailure(FailureKind.BAD_ANSWER, "ping " + replica.name() + ": HTTP " + answer.status());
        }
        return;
      } catch (IOException | RuntimeException e) {
        FailureKind kind = FailureKind.of(e);
        recordFailure(kind, "ping " + replica.name() + ": " + e);
        if (kind != FailureKind.REPLICA_UNAVAILABLE) {
          return;
        }
        metUnavailable = true;
      }
    }
    if (running && metUnavailable) {
      pingsUnanswered.incrementAndGet();
    }
  }

  /** Counts one TLS handshake the edge starts (every request opens a fresh connection). */
  void countHandshake() {
    handshakes.incrementAndGet();
  }

  /**
   * Closes the hub stream's connection as a network fault would: the edge notices, counts a
   * {@link FailureKind#REPLICA_UNAVAILABLE} and reconnects (to the next replica, after its backoff).
   * Pings are unaffected: each one uses its own connection. For chaos tests.
   */
  public void dropConnections() {
    stream.drop();
  }

  void recordFailure(FailureKind kind, String description) {
    if (!running) {
      return;
    }
    failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
    lastFailure = kind + ": " + description;
    if (kind == FailureKind.CERTIFICATE_OR_TRUST) {
      LOG.warn("edge {}: {}", settings.node(), description);
    } else {
      LOG.info("edge {}: {}", settings.node(), description);
    }
  }

  private X509Certificate leaf() throws IOException {
    return Pem.decodeCertificates(Files.readString(files.certificate())).get(0);
  }

  private String issuerFingerprint() {
    try {
      X509Certificate leaf = leaf();
      for (X509Certificate ca : Pem.decodeCertificates(files.readBundle().orElse(""))) {
        if (ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
          try {
            leaf.verify(ca.getPublicKey());
            return Fingerprint.of(ca).sha256Hex();
          } catch (java.security.GeneralSecurityException e) {
            // another CA with the same name
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("edge {}: cannot name its issuer: {}", settings.node(), e.toString());
    }
    return "";
  }

  /** Returns the client certificate serial the last successful ping's replica saw (hex), if any. */
  public Optional<String> lastPingSerial() {
    return Optional.ofNullable(lastPingSerial);
  }

  /** Returns a snapshot of the edge's state. */
  public EdgeStatus status() {
    Map<FailureKind, Long> counts = new EnumMap<>(FailureKind.class);
    failures.forEach((k, v) -> counts.put(k, v.sum()));
    String serial = "";
    Instant notAfter = Instant.EPOCH;
    try {
      X509Certificate leaf = leaf();
      serial = leaf.getSerialNumber().toString(16);
      notAfter = leaf.getNotAfter().toInstant();
    } catch (IOException | RuntimeException e) {
      LOG.debug("edge {}: cannot read its certificate: {}", settings.node(), e.toString());
    }
    return new EdgeStatus(settings.node(), Optional.ofNullable(joinedVia), stream.connectedReplica(),
        stream.connects(), serial, issuerFingerprint(), notAfter, stream.activeCa(), stream.bundleVersion(),
        renewals.get(), pingsOk.get(), counts, Optional.ofNullable(lastFailure), handshakes.get(), pingsRetried.get(),
        pingsUnanswered.get());
  }

  /** Stops pinging, renewing and streaming; the identity directory stays. */
  @Override
  public void close() {
    running = false;
    stream.close();
    timers.shutdownNow();
    renewer.shutdownNow();
    try {
      timers.awaitTermination(5, TimeUnit.SECONDS);
      renewer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (source != null) {
      source.close();
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "EdgeNode[" + settings.node() + "]";
  }
}
