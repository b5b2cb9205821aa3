package io.oneca.samples.cloudcore.server;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaMetrics;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.DeliveryMetrics;
import io.oneca.core.delivery.TrustBundleFeed;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.samples.cloudcore.join.JoinAudit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cloud replica: bootstraps the one CA through OneCA on the shared store (adopting the winner
 * when several replicas start at once), keeps its own serving certificate renewed, and serves two
 * HTTPS listeners. The public one takes joins ({@code POST /v1/join}) and answers health, status
 * and metrics; the hub one requires a client certificate from the current trust bundle and carries
 * the edges' event streams, renewals and pings. Both serve the newest certificate and trust bundle
 * on every handshake without a restart.
 */
public final class CloudCoreReplica implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CloudCoreReplica.class);
  /** The hub item that carries the trust bundle. */
  public static final String BUNDLE_ITEM = "trust-bundle";
  private static final Duration DRIFT_CHECK_INTERVAL = Duration.ofSeconds(30);

  static {
    // Read once by the JDK's HTTP server when it is first used; a deployment may set them itself.
    // Without TCP_NODELAY every small answer waits for the client's delayed ACK (~40 ms); without a
    // request time limit a client that sends its request slowly holds a thread for ever.
    System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "30"));
  }

  private final ReplicaSettings settings;
  /** Closed last-in, first-out: listeners first, the store last. */
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final HubStats stats = new HubStats();
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private volatile boolean running = true;
  private VersionedStore store;
  private OneCa oneCa;
  private BootstrapResult bootstrap;
  private ManagedIdentity identity;
  private DeliveryHub<CaView> hub;
  private HttpsServer publicServer;
  private HttpsServer hubServer;
  private JoinAudit joinAudit;

  private CloudCoreReplica(ReplicaSettings settings) {
    this.settings = settings;
  }

  /**
   * Starts a replica: store, CA bootstrap, serving identity, hub and both listeners.
   *
   * @param settings how to run
   * @return the running replica
   * @throws IOException if a listener cannot bind or a key file cannot be read
   */
  public static CloudCoreReplica start(ReplicaSettings settings) throws IOException {
    CloudCoreReplica replica = new CloudCoreReplica(settings);
    try {
      replica.startAll();
      return replica;
    } catch (IOException | RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  private void startAll() throws IOException {
    if (settings.openStore().isPresent()) {
      store = settings.openStore().get();
    } else {
      store = Stores.open(settings.storeUri());
      resources.push(store);
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("cloudcore-tick-" + settings.replicaId()));
    resources.push(scheduler::shutdownNow);
    oneCa = OneCa.builder()
        .store(store)
        .replicaId(settings.replicaId())
        .caSubject(settings.caSubject())
        .keyEncryptionKey(KeyEncryptionKeys.fromFile(settings.kekFile()))
        // Cross-signed successors: after a forced rotation, an edge that still holds only the old
        // bundle keeps trusting replicas (and they it) until the new bundle reaches it.
        .rotation(RotationPolicy.builder().crossSign(true).build())
        .build();
    resources.push(oneCa);
    bootstrap = oneCa.start();
    LOG.info("replica {}: {} CA {} at store version {}", settings.replicaId(), bootstrap.outcome(),
        bootstrap.ca().fingerprint().shortForm(), bootstrap.ca().storeVersion());
    identity = oneCa.identity(IdentitySpec.builder("cloudcore-" + settings.replicaId())
        .commonName(settings.replicaId())
        .dnsName("localhost")
        .dnsName(settings.replicaId() + ".cloudcore.local")
        .ipAddress("127.0.0.1")
        .ttl(settings.identityTtl())
        .build());
    resources.push(identity);
    ExecutorService deliveries = Executors.newFixedThreadPool(2, daemon("cloudcore-hub-" + settings.replicaId()));
    resources.push(deliveries::shutdownNow);
    hub = DeliveryHub.create(deliveries);
    resources.push(hub);
    resources.push(TrustBundleFeed.start(oneCa, hub, BUNDLE_ITEM));

    OneCaMetrics.of(oneCa).bindTo(registry);
    DeliveryMetrics.of("cloudcore", hub).bindTo(registry);
    Gauge.builder("cloudcore.hub.streams.open", stats, HubStats::openStreams).register(registry);
    Gauge.builder("cloudcore.hub.renewals", stats, HubStats::renewals).register(registry);
    Gauge.builder("cloudcore.hub.pings", stats, HubStats::pings).register(registry);

    SSLContext tls = identity.sslContext();
    ExecutorService publicWorkers = Executors.newFixedThreadPool(
        Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), daemon("cloudcore-public-" + settings.replicaId()));
    resources.push(publicWorkers::shutdownNow);
    publicServer = HttpsServer.create(new InetSocketAddress(settings.bindHost(), settings.joinPort()), 256);
    publicServer.setHttpsConfigurator(configurator(tls, false));
    publicServer.setExecutor(publicWorkers);
    OpsHandler ops = new OpsHandler(settings.replicaId(), oneCa, identity, stats, registry);
    for (String path : List.of("/healthz", "/readyz", "/v1/status", "/metrics")) {
      publicServer.createContext(path, ops);
    }
    joinAudit = JoinEndpoint.mount(publicServer, settings, store, oneCa, registry, resources);

    ExecutorService hubWorkers = Executors.newCachedThreadPool(daemon("cloudcore-stream-" + settings.replicaId()));
    resources.push(hubWorkers::shutdownNow);
    hubServer = HttpsServer.create(new InetSocketAddress(settings.bindHost(), settings.hubPort()), 256);
    hubServer.setHttpsConfigurator(configurator(tls, true));
    hubServer.setExecutor(hubWorkers);
    hubServer.createContext("/v1/hub/stream",
        new HubStreamHandler(settings.replicaId(), hub, BUNDLE_ITEM, settings.heartbeat(), stats, () -> running));
    hubServer.createContext("/v1/hub/ping", new PingHandler(settings.replicaId(), oneCa, stats));
    RenewEndpoint.mount(hubServer, settings, oneCa, stats);

    publicServer.start();
    resources.push(() -> publicServer.stop(0));
    hubServer.start();
    resources.push(() -> hubServer.stop(0));
    scheduler.scheduleWithFixedDelay(this::checkDrift, 1_000, DRIFT_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("replica {} serving: public https://{} hub https://{}", settings.replicaId(),
        publicAddress(), hubAddress());
  }

  private void checkDrift() {
    try {
      identity.checkDrift(hubAddress(), Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      LOG.warn("replica {}: drift check failed: {}", settings.replicaId(), e.toString());
    }
  }

  private static HttpsConfigurator configurator(SSLContext tls, boolean requireClientCertificate) {
    return new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
        parameters.setNeedClientAuth(requireClientCertificate);
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setSSLParameters(parameters);
      }
    };
  }

  static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Returns the replica's id. */
  public String id() {
    return settings.replicaId();
  }

  /** Returns how the CA bootstrap ended on this replica. */
  public BootstrapResult bootstrap() {
    return bootstrap;
  }

  /** Returns the replica's OneCA. */
  public OneCa oneCa() {
    return oneCa;
  }

  /** Returns the replica's own serving identity. */
  public ManagedIdentity identity() {
    return identity;
  }

  /** Returns the hub that carries the trust bundle to edge streams. */
  public DeliveryHub<CaView> hub() {
    return hub;
  }

  /** Returns the join endpoint's audit (recent attempts and counts by outcome). */
  public JoinAudit joinAudit() {
    return joinAudit;
  }

  /** Returns the hub's counters. */
  public HubStats stats() {
    return stats;
  }

  /** Returns the metrics registry the {@code /metrics} endpoint renders. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Returns the bound address of the public listener (join, health, metrics). */
  public InetSocketAddress publicAddress() {
    return publicServer.getAddress();
  }

  /** Returns the bound address of the mTLS hub listener. */
  public InetSocketAddress hubAddress() {
    return hubServer.getAddress();
  }

  /** Stops the listeners and hub streams, then OneCA; the store is closed only if the replica opened it. */
  @Override
  public synchronized void close() {
    running = false;
    for (AutoCloseable resource = resources.poll(); resource != null; resource = resources.poll()) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("replica {}: closing {} failed: {}", settings.replicaId(), resource, e.toString());
      }
    }
  }
}
