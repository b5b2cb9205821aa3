package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oneca.api.Pem;
import io.oneca.core.files.FileIdentitySource;
import io.oneca.core.health.ExpiryAlert;
import io.oneca.core.health.ExpiryLevel;
import io.oneca.core.health.ExpiryThresholds;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.DriftReport;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.TlsContexts;
import io.oneca.core.tls.TlsLoopback;
import io.oneca.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DriftAndExpiryTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(OneCaBuilder builder) {
    OneCa oneCa = builder.store(store.newClient()).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  @Test
  void listenerStillServingTheOldCertificate_isFlaggedAsDrift() throws Exception {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey());
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").ipAddress("127.0.0.1").build());
    IdentitySnapshot original = identity.current();
    // A listener that copied the material once (a static context) instead of using the reloading manager.
    ReloadingX509KeyManager frozen = ReloadingX509KeyManager.of(original.privateKey(), original.chain());
    try (TlsLoopback stale = TlsLoopback.start(TlsContexts.sslContext(frozen, null), true);
         TlsLoopback live = TlsLoopback.start(TlsContexts.sslContext(identity.keyManager(), null), true)) {
      assertThat(identity.checkDrift(stale.address(), Duration.ofSeconds(5)).drifted()).isFalse();

      identity.renewNow();
      DriftReport staleReport = identity.checkDrift(stale.address(), Duration.ofSeconds(5));
      assertThat(staleReport.drifted()).isTrue();
      assertThat(staleReport.served()).contains(original.fingerprint());
      assertThat(staleReport.expected()).isEqualTo(identity.current().fingerprint());
      assertThat(oneCa.health().check("drift:server").orElseThrow().status()).isEqualTo(HealthStatus.DEGRADED);

      DriftReport liveReport = identity.checkDrift(live.address(), Duration.ofSeconds(5));
      assertThat(liveReport.drifted()).as(liveReport.detail()).isFalse();
      assertThat(oneCa.health().check("drift:server").orElseThrow().status()).isEqualTo(HealthStatus.UP);
      assertThat(oneCa.stats().driftDetected.sum()).isEqualTo(1);
    }
  }

  @Test
  void nothingListening_isDrift_withTheCause() {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey());
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").build());
    DriftReport report = identity.checkDrift(new java.net.InetSocketAddress("127.0.0.1", freePort()),
        Duration.ofSeconds(2));
    assertThat(report.drifted()).isTrue();
    assertThat(report.served()).isEmpty();
    assertThat(report.detail()).contains("presented no certificate");
  }

  @Test
  void expiryAlerts_fireOncePerThreshold_underAMutableClock() {
    Instant start = Instant.now();
    MutableClock clock = MutableClock.at(start);
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey().clock(clock).caValidity(Duration.ofDays(100))
        .expiryThresholds(new ExpiryThresholds(0.20, Duration.ofDays(30), 0.05, Duration.ofDays(7))));
    List<ExpiryAlert> alerts = new CopyOnWriteArrayList<>();
    closeables.add(oneCa.onExpiryAlert(alerts::add));
    Instant caExpiry = oneCa.ca().chain().get(0).getNotAfter().toInstant();

    assertThat(oneCa.checkExpiry()).isEmpty();
    clock.set(caExpiry.minus(Duration.ofDays(21)));
    assertThat(oneCa.checkExpiry()).isEmpty();
    clock.set(caExpiry.minus(Duration.ofDays(19)));
    assertThat(oneCa.checkExpiry()).extracting(ExpiryAlert::level).containsExactly(ExpiryLevel.WARNING);
    assertThat(oneCa.checkExpiry()).as("no repeat at the same level").isEmpty();
    assertThat(oneCa.health().check("expiry:ca").orElseThrow().status()).isEqualTo(HealthStatus.DEGRADED);
    clock.set(caExpiry.minus(Duration.ofDays(4)));
    assertThat(oneCa.checkExpiry()).extracting(ExpiryAlert::level).containsExactly(ExpiryLevel.CRITICAL);
    clock.set(caExpiry.plusSeconds(1));
    assertThat(oneCa.checkExpiry()).extracting(ExpiryAlert::level).containsExactly(ExpiryLevel.EXPIRED);
    assertThat(oneCa.health().status()).isEqualTo(HealthStatus.DOWN);
    assertThat(alerts).extracting(ExpiryAlert::certificate).containsOnly("ca");
    assertThat(alerts).extracting(ExpiryAlert::level)
        .containsExactly(ExpiryLevel.WARNING, ExpiryLevel.CRITICAL, ExpiryLevel.EXPIRED);
  }

  @Test
  void expiryThresholds_areTheSmallerOfShareAndCap() {
    ExpiryThresholds defaults = ExpiryThresholds.DEFAULTS;
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant dayEnd = start.plus(Duration.ofHours(24));
    assertThat(defaults.level(start, dayEnd, start.plus(Duration.ofHours(19)))).isEqualTo(ExpiryLevel.OK);
    assertThat(defaults.level(start, dayEnd, start.plus(Duration.ofHours(20)))).isEqualTo(ExpiryLevel.WARNING);
    assertThat(defaults.level(start, dayEnd, start.plus(Duration.ofMinutes(23 * 60 + 1)))).isEqualTo(ExpiryLevel.CRITICAL);
    assertThat(defaults.level(start, dayEnd, dayEnd)).isEqualTo(ExpiryLevel.EXPIRED);
    Instant tenYears = start.plus(Duration.ofDays(3650));
    assertThat(defaults.level(start, tenYears, tenYears.minus(Duration.ofDays(31)))).isEqualTo(ExpiryLevel.OK);
    assertThat(defaults.level(start, tenYears, tenYears.minus(Duration.ofDays(29)))).isEqualTo(ExpiryLevel.WARNING);
    assertThat(defaults.level(start, tenYears, tenYears.minus(Duration.ofDays(6)))).isEqualTo(ExpiryLevel.CRITICAL);
  }

  @Test
  void renewedIdentity_reachesAReaderByPath_andAFileSourceServesIt() throws Exception {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey());
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("edge").ipAddress("127.0.0.1")
        .outputDirectory(dir).build());
    Path certFile = dir.resolve("tls.crt");
    try (FileIdentitySource source = FileIdentitySource.builder(certFile, dir.resolve("tls.key"))
        .trustFile(dir.resolve("ca.crt")).pollInterval(Duration.ofMillis(50)).start()) {
      assertThat(leaf(certFile)).isEqualTo(identity.current().certificate());
      identity.renewNow();
      assertThat(leaf(certFile)).as("a reader that re-opens the path sees the renewal")
          .isEqualTo(identity.current().certificate());
      await(() -> source.keyManager().currentChain().orElseThrow().get(0).equals(identity.current().certificate()));
    }
  }

  @Test
  void metrics_reportExpiryReloadsAndRenewals() throws Exception {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey().resyncInterval(Duration.ofMillis(100)));
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").build());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OneCaMetrics.of(oneCa).bindTo(registry);

    double caSeconds = registry.get("oneca.certificate.expiry.seconds").tag("certificate", "ca").gauge().value();
    assertThat(caSeconds).isBetween(3649.0 * 86400, 3650.0 * 86400);
    double leafSeconds = registry.get("oneca.certificate.expiry.seconds").tag("certificate", "identity:server")
        .gauge().value();
    assertThat(leafSeconds).isBetween(23.0 * 3600, 24.0 * 3600 + 1);

    // A 10-year CA: its successor is due 30 days before the end.
    assertThat(registry.get("oneca.ca.rotation.next.seconds").gauge().value())
        .isBetween(3619.0 * 86400, 3620.0 * 86400);
    assertThat(registry.get("oneca.ca.rotation.prepared").gauge().value()).isZero();
    oneCa.rotation().prepare().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(registry.get("oneca.ca.rotation.prepared").gauge().value()).isEqualTo(1);
    oneCa.rotation().activate().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(registry.get("oneca.ca.rotation.retired").gauge().value()).isEqualTo(1);

    // One renewal when activation changed the signing CA (delivered on the scheduler), then one on request.
    await(() -> registry.get("oneca.identity.renewals").tag("identity", "server").functionCounter().count() == 1);
    identity.renewNow();
    await(() -> registry.get("oneca.identity.renewals").tag("identity", "server").functionCounter().count() == 2);
    double reloads = registry.get("oneca.ca.reloads").functionCounter().count();
    StoredCas.replace(store, "oneca/ca", StoredCas.newCa("CN=Next", Duration.ofDays(30), Instant.now()), List.of());
    await(() -> registry.get("oneca.ca.reloads").functionCounter().count() == reloads + 1);
    assertThat(registry.get("oneca.ca.version").gauge().value()).isEqualTo(oneCa.ca().storeVersion());
    StoredCas.corrupt(store, "oneca/ca");
    await(() -> registry.get("oneca.ca.reload.failures").functionCounter().count() >= 1);
  }

  private static java.security.cert.X509Certificate leaf(Path file) throws Exception {
    return Pem.decodeCertificates(Files.readString(file, StandardCharsets.US_ASCII)).get(0);
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
