package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CaLineageException;
import io.oneca.api.Fingerprint;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.health.HealthReport;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.record.LineageEvidence;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A CA an operator distrusted with a forced rotation never comes back without an explicit lineage
 * reset, not even through a store restored to a snapshot that holds it (simulation seed 97).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DistrustedCaTest {
  private static final String KEY = "oneca/ca";
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private OneCa replica(InMemoryStore store) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).resyncInterval(Duration.ofMinutes(10))
        .build();
    closeables.add(0, oneCa);
    return oneCa;
  }

  /** CA1 -> CA2 -> CA3, each forced with distrust; returns the stored version that held CA2. */
  private Versioned<byte[]> twoDistrustingRotations(OneCa oneCa, InMemoryStore store) throws Exception {
    oneCa.start();
    oneCa.rotation().force(true).get(10, TimeUnit.SECONDS);
    Versioned<byte[]> holdingCa2 = store.get(KEY).get().orElseThrow();
    oneCa.rotation().force(true).get(10, TimeUnit.SECONDS);
    return holdingCa2;
  }

  /** Writes {@code bytes} over the record at a higher version, as a restore from a snapshot would. */
  private static Versioned<byte[]> restore(InMemoryStore store, byte[] bytes) throws Exception {
    Versioned<byte[]> current = store.get(KEY).get().orElseThrow();
    assertThat(store.compareAndSet(KEY, Precondition.atVersion(current.version()), bytes).get().applied()).isTrue();
    return store.get(KEY).get().orElseThrow();
  }

  @Test
  void restoredRecordHoldingADistrustedCa_isRefused_theReplicaKeepsItsCa() throws Exception {
    InMemoryStore store = closing(InMemoryStore.create());
    OneCa oneCa = replica(store);
    Versioned<byte[]> holdingCa2 = twoDistrustingRotations(oneCa, store);
    Fingerprint ca3 = oneCa.ca().fingerprint();

    Versioned<byte[]> restored = restore(store, holdingCa2.value());
    assertThat(restored.version()).isGreaterThan(holdingCa2.version());
    oneCa.reload().get(10, TimeUnit.SECONDS);
    // Either outcome ends the wait: the refusal (DOWN) or the re-adoption of the distrusted CA.
    Await.until("refusal or re-adoption", () -> oneCa.health().status() == HealthStatus.DOWN
        || !oneCa.ca().fingerprint().equals(ca3));
    oneCa.reload().get(10, TimeUnit.SECONDS);

    assertThat(oneCa.ca().fingerprint()).as("keeps CA3, never re-adopts the distrusted CA2").isEqualTo(ca3);
    HealthReport health = oneCa.health();
    assertThat(health.status()).as(health.describe()).isEqualTo(HealthStatus.DOWN);
    assertThat(health.checks()).filteredOn(check -> check.name().equals("ca-lineage")).singleElement()
        .satisfies(check -> assertThat(check.detail()).contains(KEY)
            .contains(Long.toString(restored.version())));
  }

  @Test
  void freshReplica_onARecordWhoseActiveCaIsDistrusted_failsToStart_andWritesNothing() throws Exception {
    InMemoryStore store = closing(InMemoryStore.create());
    OneCa first = replica(store);
    Versioned<byte[]> holdingCa2 = twoDistrustingRotations(first, store);
    first.close();
    Versioned<byte[]> restored = restore(store, holdingCa2.value());
    Versioned<byte[]> evidence = store.get(LineageEvidence.keyOf(KEY)).get().orElseThrow();

    OneCa late = replica(store);
    assertThatThrownBy(late::start).isInstanceOf(CaLineageException.class).hasMessageContaining(KEY)
        .hasMessageContaining("distrusted");
    Versioned<byte[]> recordAfter = store.get(KEY).get().orElseThrow();
    assertThat(recordAfter.version()).as("the record is untouched").isEqualTo(restored.version());
    assertThat(Arrays.equals(recordAfter.value(), restored.value())).isTrue();
    Versioned<byte[]> evidenceAfter = store.get(LineageEvidence.keyOf(KEY)).get().orElseThrow();
    assertThat(evidenceAfter.version()).as("the evidence is untouched").isEqualTo(evidence.version());
  }

  @Test
  void lineageReset_clearsTheDistrust_soTheRestoredCaMayBeUsedOnPurpose() throws Exception {
    InMemoryStore store = closing(InMemoryStore.create());
    OneCa first = replica(store);
    Versioned<byte[]> holdingCa2 = twoDistrustingRotations(first, store);
    Fingerprint ca3 = first.ca().fingerprint();
    first.close();
    restore(store, holdingCa2.value());

    CaLineageReset.Result reset = CaLineageReset.reset(store, KEY, ca3, event -> { }, "ops").get(10, TimeUnit.SECONDS);
    assertThat(reset.outcome()).as(reset.detail()).isEqualTo(CaLineageReset.Outcome.RESET);
    OneCa late = replica(store);
    assertThat(late.start().ca().fingerprint()).isNotEqualTo(ca3);
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }
}
