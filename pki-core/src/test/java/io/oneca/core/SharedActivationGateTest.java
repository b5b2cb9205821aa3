package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CaView;
import io.oneca.api.store.Versioned;
import io.oneca.core.delivery.AckTracker;
import io.oneca.core.delivery.ActivationGate;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.TrustBundleFeed;
import io.oneca.core.rotation.ActivationCondition;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.rotation.TransitionResult.Outcome;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acknowledgement-gated activation holds across replicas: every replica runs the rotation tick, but
 * consumers are connected to only some of them. The gate decides from the acknowledgements and live
 * consumers that all replicas recorded in the store, and with no live consumer anywhere it waits for
 * the deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedActivationGateTest {
  private static final Duration MAX_WAIT = Duration.ofDays(30);
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final MutableClock clock = MutableClock.at(Instant.now().minus(Duration.ofDays(394)));

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  /** One replica with its own delivery hub and acknowledgement tracker, as each CloudCore process has. */
  private final class Replica {
    final AckTracker acks = AckTracker.create(clock);
    final DeliveryHub<CaView> hub = DeliveryHub.create(Runnable::run);
    final OneCa oneCa;

    Replica(String id) {
      closeables.add(hub);
      ActivationGate gate = ActivationGate.builder().requiredShare(1.0).maxWait(MAX_WAIT).clock(clock).build();
      oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock).replicaId(id)
          .caValidity(CaRotationTest.CA_LIFE).defaultLeafTtl(Duration.ofDays(30)).resyncInterval(Duration.ofMinutes(5))
          .rotation(RotationPolicy.builder().automatic(false)
              .activationCondition(ActivationCondition.acknowledged(gate, hub, "bundle", acks)).build())
          .build();
      closeables.add(0, oneCa);
      oneCa.start();
      closeables.add(TrustBundleFeed.start(oneCa, hub, "bundle"));
    }

    void consumer(String name) {
      closeables.add(hub.subscribe(name, "bundle", update -> { }));
    }

    TransitionResult tick() throws Exception {
      return CaRotationTest.run(oneCa.rotation().tick());
    }
  }

  private long prepare(Replica a, Replica b) throws Exception {
    RotationStatus initial = a.oneCa.rotation().status();
    clock.set(initial.prepareAt().plusSeconds(1));
    TransitionResult prepared = a.tick();
    assertThat(prepared.outcome()).as(prepared.detail()).isEqualTo(Outcome.APPLIED);
    long version = prepared.status().storeVersion();
    await(() -> b.oneCa.ca().storeVersion() == version);
    clock.set(initial.activateAt().plusSeconds(1));
    return version;
  }

  @Test
  void tick_replicaWithoutConsumers_doesNotActivateWhileAnotherReplicasConsumersLag() throws Exception {
    Replica a = new Replica("replica-a");
    Replica b = new Replica("replica-b");
    a.consumer("edge-1");
    a.consumer("edge-2");
    long preparedVersion = prepare(a, b);

    TransitionResult heldOnA = a.tick();
    TransitionResult heldOnB = b.tick();

    assertThat(heldOnA.outcome()).as(heldOnA.detail()).isEqualTo(Outcome.GATE_CLOSED);
    assertThat(heldOnB.outcome()).as(heldOnB.detail()).isEqualTo(Outcome.GATE_CLOSED);
    assertThat(heldOnB.detail()).contains("edge-1", "edge-2");
    assertThat(b.oneCa.rotation().status().prepared()).isPresent();

    // The consumers acknowledge on A; B, which has none, learns it from the store and may activate.
    a.acks.acknowledge("edge-1", preparedVersion);
    a.acks.acknowledge("edge-2", preparedVersion);
    assertThat(a.tick().outcome()).isIn(Outcome.APPLIED);
  }

  @Test
  void tick_acknowledgementsRecordedByAnotherReplica_openTheGateEverywhere() throws Exception {
    Replica a = new Replica("replica-a");
    Replica b = new Replica("replica-b");
    a.consumer("edge-1");
    long preparedVersion = prepare(a, b);
    assertThat(a.tick().outcome()).isEqualTo(Outcome.GATE_CLOSED);

    a.acks.acknowledge("edge-1", preparedVersion);
    assertThat(b.tick().outcome()).as("A has not recorded the acknowledgement yet").isEqualTo(Outcome.GATE_CLOSED);
    // A records it at its next tick; here B's own tick still holds, so let A publish without activating
    // by asking B after A wrote: the union on B sees edge-1 acknowledged.
    publishOnly(a);
    TransitionResult released = b.tick();
    assertThat(released.outcome()).as(released.detail()).isEqualTo(Outcome.APPLIED);
    assertThat(released.detail()).contains("ALL_ACKNOWLEDGED");
  }

  @Test
  void tick_noLiveConsumersAnywhere_waitsForTheDeadline() throws Exception {
    Replica a = new Replica("replica-a");
    Replica b = new Replica("replica-b");
    prepare(a, b);
    Instant preparedAt = a.oneCa.rotation().status().prepared().orElseThrow().since().orElseThrow();

    TransitionResult held = b.tick();
    assertThat(held.outcome()).as(held.detail()).isEqualTo(Outcome.GATE_CLOSED);
    assertThat(a.tick().outcome()).isEqualTo(Outcome.GATE_CLOSED);

    clock.set(preparedAt.plus(MAX_WAIT));
    TransitionResult released = b.tick();
    assertThat(released.outcome()).as(released.detail()).isEqualTo(Outcome.APPLIED);
    assertThat(released.detail()).contains("DEADLINE_PASSED");
  }

  @Test
  void tick_unchangedAcknowledgements_writeNothing() throws Exception {
    Replica a = new Replica("replica-a");
    Replica b = new Replica("replica-b");
    a.consumer("edge-1");
    prepare(a, b);
    a.tick();
    List<Versioned<byte[]>> first = store.list(OneCaBuilder.DEFAULT_CA_KEY + ".acks/").join();
    assertThat(first).isNotEmpty();

    for (int i = 0; i < 5; i++) {
      a.tick();
    }

    List<Versioned<byte[]>> after = store.list(OneCaBuilder.DEFAULT_CA_KEY + ".acks/").join();
    assertThat(after).extracting(Versioned::version).isEqualTo(first.stream().map(Versioned::version).toList());
  }

  @Test
  void tick_unreadableAcknowledgementRecord_holdsTheGateUntilTheDeadline() throws Exception {
    Replica a = new Replica("replica-a");
    Replica b = new Replica("replica-b");
    a.consumer("edge-1");
    long preparedVersion = prepare(a, b);
    store.compareAndSet(OneCaBuilder.DEFAULT_CA_KEY + ".acks/ghost", io.oneca.api.store.Precondition.absent(),
        new byte[] {1, 2, 3}).join();
    a.acks.acknowledge("edge-1", preparedVersion);

    TransitionResult held = a.tick();

    assertThat(held.outcome()).as(held.detail()).isEqualTo(Outcome.GATE_CLOSED);
    assertThat(held.detail()).contains("unreadable acknowledgement record");
  }

  /** Lets A record its acknowledgements without activating: a tick while activation is not yet due. */
  private void publishOnly(Replica a) throws Exception {
    Instant due = clock.instant();
    clock.set(a.oneCa.rotation().status().activateAt().minusSeconds(1));
    try {
      a.tick();
    } finally {
      clock.set(due);
    }
  }
}
