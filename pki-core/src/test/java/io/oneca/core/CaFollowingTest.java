package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CaView;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.FaultInjectingStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.oneca.testkit.Await;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Memory equals store: a started replica follows the record, only forward, and says when it cannot. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaFollowingTest {
  private static final String KEY = "oneca/ca";
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(io.oneca.api.store.VersionedStore client, Duration resync) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(client).resyncInterval(resync).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  @Test
  void replacedRecord_isAdoptedByEveryReplica_throughTheSubscription() throws Exception {
    OneCa first = replica(store.newClient(), Duration.ofMinutes(10));
    OneCa second = replica(store.newClient(), Duration.ofMinutes(10));
    List<CaView> seen = new CopyOnWriteArrayList<>();
    closeables.add(second.onCaChange(seen::add));

    CaMaterial next = StoredCas.newCa("CN=Next CA", Duration.ofDays(30), Instant.now());
    Versioned<byte[]> written = StoredCas.replace(store, KEY, next, List.of());

    await(() -> first.ca().storeVersion() == written.version() && second.ca().storeVersion() == written.version());
    assertThat(first.ca().fingerprint()).isEqualTo(next.fingerprint());
    assertThat(second.ca().fingerprint()).isEqualTo(next.fingerprint());
    await(() -> seen.size() == 1);
    assertThat(seen.get(0).storeVersion()).isEqualTo(written.version());
    assertThat(first.consistency().get().status()).isEqualTo(Consistency.Status.CONSISTENT);
  }

  @Test
  void lostStoreEvent_isCaughtByTheResync() throws Exception {
    FaultInjectingStore lossy = FaultInjectingStore.wrap(store.newClient());
    OneCa oneCa = replica(lossy, Duration.ofMillis(300));
    lossy.dropEvents(true);
    long dropsBefore = lossy.droppedEvents();

    CaMaterial next = StoredCas.newCa("CN=Next CA", Duration.ofDays(30), Instant.now());
    Versioned<byte[]> written = StoredCas.replace(store, KEY, next, List.of());

    await(() -> lossy.droppedEvents() > dropsBefore);
    await(() -> oneCa.ca().storeVersion() == written.version());
    assertThat(oneCa.ca().fingerprint()).isEqualTo(next.fingerprint());
  }

  @Test
  void withoutResync_aLostEventLeavesMemoryBehind_andConsistencySaysSo() throws Exception {
    FaultInjectingStore lossy = FaultInjectingStore.wrap(store.newClient());
    OneCa oneCa = replica(lossy, Duration.ofHours(1));
    Fingerprint original = oneCa.ca().fingerprint();
    lossy.dropEvents(true);

    CaMaterial next = StoredCas.newCa("CN=Next CA", Duration.ofDays(30), Instant.now());
    Versioned<byte[]> written = StoredCas.replace(store, KEY, next, List.of());
    await(() -> lossy.droppedEvents() > 0);

    Consistency consistency = oneCa.consistency().get();
    assertThat(consistency.status()).isEqualTo(Consistency.Status.MEMORY_BEHIND);
    assertThat(consistency.memoryFingerprint()).isEqualTo(original);
    assertThat(consistency.storeFingerprint()).contains(next.fingerprint());
    assertThat(consistency.storeVersion()).hasValue(written.version());

    assertThat(oneCa.reload().get().fingerprint()).isEqualTo(next.fingerprint());
    assertThat(oneCa.consistency().get().consistent()).isTrue();
  }

  @Test
  void unreadableNewerRecord_isNotAdopted_notOverwritten_andHealthIsDegraded() throws Exception {
    OneCa oneCa = replica(store.newClient(), Duration.ofMillis(200));
    Fingerprint original = oneCa.ca().fingerprint();
    long originalVersion = oneCa.ca().storeVersion();

    Versioned<byte[]> corrupt = StoredCas.corrupt(store, KEY);
    await(() -> oneCa.health().check("ca-consistency").orElseThrow().status() == HealthStatus.DEGRADED);

    assertThat(oneCa.ca().fingerprint()).isEqualTo(original);
    assertThat(oneCa.ca().storeVersion()).isEqualTo(originalVersion);
    assertThat(oneCa.health().status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(oneCa.health().check("ca-consistency").orElseThrow().detail())
        .contains("version " + corrupt.version()).contains("not a OneCA record");
    assertThat(oneCa.consistency().get().status()).isEqualTo(Consistency.Status.STORE_UNREADABLE);
    assertThat(store.get(KEY).get().orElseThrow().value()).isEqualTo(corrupt.value());
    assertThat(store.get(KEY).get().orElseThrow().version()).isEqualTo(corrupt.version());
  }

  @Test
  void deletedRecord_keepsTheCaInMemory_andIsReported() throws Exception {
    OneCa oneCa = replica(store.newClient(), Duration.ofMillis(200));
    Versioned<byte[]> current = store.get(KEY).get().orElseThrow();
    store.delete(KEY, io.oneca.api.store.Precondition.atVersion(current.version())).get();

    await(() -> oneCa.health().check("ca-consistency").orElseThrow().status() == HealthStatus.DEGRADED);
    assertThat(oneCa.ca().storeVersion()).isEqualTo(current.version());
    assertThat(oneCa.consistency().get().status()).isEqualTo(Consistency.Status.STORE_MISSING);
    assertThat(store.get(KEY).get()).isEmpty();
  }

  @Test
  void followedAndRejectedVersions_areAuditedOnce() throws Exception {
    List<io.oneca.api.audit.AuditEvent> events = new CopyOnWriteArrayList<>();
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).resyncInterval(Duration.ofMillis(50))
        .auditSink(events::add).build();
    closeables.add(0, oneCa);
    oneCa.start();
    CaMaterial next = StoredCas.newCa("CN=Next CA", Duration.ofDays(30), Instant.now());
    Versioned<byte[]> written = StoredCas.replace(store, KEY, next, List.of());
    await(() -> oneCa.ca().storeVersion() == written.version());
    Versioned<byte[]> corrupt = StoredCas.corrupt(store, KEY);
    await(() -> events.stream().anyMatch(e -> e.type() == io.oneca.api.audit.AuditEventType.CA_VERSION_REJECTED));
    long resyncsBefore = storeReads(oneCa);
    await(() -> storeReads(oneCa) >= resyncsBefore + 3);

    assertThat(events).filteredOn(e -> e.type() == io.oneca.api.audit.AuditEventType.CA_FOLLOWED)
        .singleElement().satisfies(e -> {
          assertThat(e.storeVersion()).isEqualTo(written.version());
          assertThat(e.details()).containsEntry("caFingerprint", next.fingerprint().sha256Hex());
        });
    assertThat(events).filteredOn(e -> e.type() == io.oneca.api.audit.AuditEventType.CA_VERSION_REJECTED)
        .singleElement().satisfies(e -> assertThat(e.storeVersion()).isEqualTo(corrupt.version()));
    assertThat(oneCa.stats().reloadFailures.sum()).isEqualTo(1);
  }

  /** Successful resync reads so far. */
  private static long storeReads(OneCa oneCa) {
    return oneCa.stats().reads.sum();
  }

  @Test
  void healthyReplica_isUp_withNamedChecks() {
    OneCa oneCa = replica(store.newClient(), Duration.ofSeconds(30));
    var report = oneCa.health();
    assertThat(report.status()).as(report.describe()).isEqualTo(HealthStatus.UP);
    assertThat(report.checks()).extracting(check -> check.name())
        .containsExactly("ca-consistency", "ca-lineage", "ca-regression", "store-read", "expiry:ca", "rotation",
            "store-staleness");
  }

  @Test
  void notStarted_isDown() {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).build();
    closeables.add(oneCa);
    assertThat(oneCa.health().status()).isEqualTo(HealthStatus.DOWN);
  }

  static void await(BooleanSupplier condition) {
    Await.until("the awaited condition", condition);
  }
}
