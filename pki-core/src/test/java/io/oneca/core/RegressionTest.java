package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.api.audit.AuditEvent;
import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthReport;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.rotation.CaSlot;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.store.FileSystemStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions going backwards (issue 20, item 2): a store restored from a backup holds a lower version,
 * or the same version with other bytes. Replicas detect it, say so, and re-adopt only along the line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegressionTest {
  private static final String KEY = "oneca/ca";
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

  @TempDir
  Path directory;

  @TempDir
  Path backup;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private OneCa replica() {
    FileSystemStore client = FileSystemStore.open(directory);
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(client).resyncInterval(Duration.ofMinutes(10))
        .rotation(RotationPolicy.builder().automatic(false).build()).auditSink(audit::add).build();
    closeables.add(0, client);
    closeables.add(0, oneCa);
    return oneCa;
  }

  @Test
  void restoredLowerVersion_sameLine_isReadopted_reported_andLaterWritesAreFollowed() throws Exception {
    OneCa oneCa = replica();
    oneCa.start();
    long before = oneCa.ca().storeVersion();
    copy(directory, backup);
    oneCa.rotation().prepare().get(10, TimeUnit.SECONDS);
    long prepared = oneCa.ca().storeVersion();
    assertThat(prepared).isGreaterThan(before);

    restore();
    oneCa.reload().get(10, TimeUnit.SECONDS);

    assertThat(oneCa.ca().storeVersion()).as("re-adopted the restored version").isEqualTo(before);
    assertThat(oneCa.rotation().status().prepared()).isEmpty();
    HealthReport health = oneCa.health();
    assertThat(health.checks()).filteredOn(check -> check.name().equals("ca-regression")).singleElement()
        .satisfies(check -> {
          assertThat(check.status()).isNotEqualTo(HealthStatus.UP);
          assertThat(check.detail()).contains(Long.toString(before)).contains(Long.toString(prepared));
        });
    assertThat(audit).filteredOn(event -> event.type().name().equals("CA_VERSION_REGRESSED")).hasSize(1);
    oneCa.reload().get(10, TimeUnit.SECONDS);
    assertThat(audit).as("once per regressed version").filteredOn(event -> event.type().name()
        .equals("CA_VERSION_REGRESSED")).hasSize(1);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    OneCaMetrics.of(oneCa).bindTo(registry);
    assertThat(registry.get("oneca.ca.regressions").functionCounter().count()).isEqualTo(1.0);

    // The store moves on from the restored version; the replica follows it.
    oneCa.rotation().prepare().get(10, TimeUnit.SECONDS);
    oneCa.reload().get(10, TimeUnit.SECONDS);
    assertThat(oneCa.rotation().status().prepared()).isPresent();
    assertThat(oneCa.consistency().get().status()).isEqualTo(Consistency.Status.CONSISTENT);
  }

  @Test
  void sameVersionOtherBytes_isNotAnsweredFromTheParseCache() throws Exception {
    OneCa held = replica();
    held.start();
    copy(directory, backup);
    held.rotation().prepare().get(10, TimeUnit.SECONDS);
    Fingerprint firstPrepared = held.rotation().status().prepared().orElseThrow().fingerprint();
    long version = held.ca().storeVersion();

    restore();
    OneCa other = replica();
    other.start();
    other.rotation().prepare().get(10, TimeUnit.SECONDS);
    Fingerprint secondPrepared = other.rotation().status().prepared().orElseThrow().fingerprint();
    assertThat(other.ca().storeVersion()).as("the same version, other bytes").isEqualTo(version);
    assertThat(secondPrepared).isNotEqualTo(firstPrepared);

    held.reload().get(10, TimeUnit.SECONDS);

    Optional<Fingerprint> prepared = held.rotation().status().prepared().map(CaSlot::fingerprint);
    assertThat(prepared).contains(secondPrepared);
    assertThat(held.health().checks()).filteredOn(check -> check.name().equals("ca-regression"))
        .extracting(HealthCheck::status).containsExactly(HealthStatus.DEGRADED);
  }

  private void restore() throws IOException {
    delete(directory.resolve("keys"));
    copy(backup, directory);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else if (!file.getFileName().toString().contains("lock")) {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void delete(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @SuppressWarnings("unused")
  private static Instant now() {
    return Instant.now();
  }
}
