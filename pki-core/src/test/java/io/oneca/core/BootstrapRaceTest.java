package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.BootstrapResult;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.LockstepReads;
import io.oneca.testkit.ReplicaRace;
import io.oneca.testkit.ReplicaRace.RaceReport;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Incident 1 (KubeEdge CloudCore split brain): many replicas bootstrapping at the same instant. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BootstrapRaceTest {
  private final InMemoryStore storage = InMemoryStore.create();
  /** The replicas share a key-encryption key, so the race also covers encrypted records (schema 2). */
  private static final KeyEncryptionKey KEK = KeyEncryptionKeys.ofBytes(new byte[32]);

  private final CaRecordCodec codec =
      new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(KEK, List.of(), false));
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    storage.close();
  }

  @Test
  void sixteenReplicas_fiveHundredRounds_allAdoptTheStoredCa() throws Exception {
    RaceReport report = ReplicaRace.builder()
        .replicas(16)
        .rounds(500)
        .replica(i -> oneCaReplica(storage.newClient(), "replica-" + i, null))
        .storedFingerprint(this::storedFingerprint)
        .run();

    report.assertConverged();
    assertThat(report.rounds()).hasSize(500);
  }

  @Test
  void everyReplicaSeesAbsent_exactlyOneCreatesAndTheRestAdoptTheWinner() throws Exception {
    int replicas = 8;
    LockstepReads lockstep = LockstepReads.forParties(replicas, Duration.ofSeconds(30));
    Map<String, List<Outcome>> outcomesByKey = new ConcurrentHashMap<>();

    RaceReport report = ReplicaRace.builder()
        .replicas(replicas)
        .rounds(50)
        .replica(i -> oneCaReplica(lockstep.wrap(storage.newClient()), "replica-" + i, outcomesByKey))
        .storedFingerprint(this::storedFingerprint)
        .run();

    report.assertConverged();
    assertThat(outcomesByKey).hasSize(50);
    for (List<Outcome> outcomes : outcomesByKey.values()) {
      assertThat(outcomes).hasSize(replicas);
      assertThat(outcomes.stream().filter(o -> o == Outcome.CREATED)).hasSize(1);
      assertThat(outcomes.stream().filter(o -> o == Outcome.ADOPTED_WINNER)).hasSize(replicas - 1);
    }
  }

  @Test
  void harnessCatchesNaiveCheckThenCreate() throws Exception {
    int replicas = 4;
    LockstepReads lockstep = LockstepReads.forParties(replicas, Duration.ofSeconds(30));
    AtomicInteger seeds = new AtomicInteger();

    RaceReport report = ReplicaRace.builder()
        .replicas(replicas)
        .rounds(5)
        .replica(i -> naiveReplica(lockstep.wrap(storage.newClient()), seeds.incrementAndGet()))
        .storedFingerprint(this::storedFingerprint)
        .run();

    assertThat(report.splitBrainRounds()).isEqualTo(5);
  }

  private ReplicaRace.Replica oneCaReplica(VersionedStore client, String id, Map<String, List<Outcome>> outcomes) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    toClose.add(scheduler::shutdownNow);
    toClose.add(client);
    return caKey -> {
      try (OneCa oneCa = OneCa.builder().store(client).caKey(caKey).replicaId(id).scheduler(scheduler)
          .keyEncryptionKey(KEK).build()) {
        BootstrapResult result = oneCa.start();
        if (outcomes != null) {
          outcomes.computeIfAbsent(caKey, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
              .add(result.outcome());
        }
        assertThat(oneCa.ca().fingerprint()).isEqualTo(result.ca().fingerprint());
        return result.ca().fingerprint().sha256Hex();
      }
    };
  }

  /** The KubeEdge bug: read, generate, write, and keep the own CA in memory whatever the write said. */
  private ReplicaRace.Replica naiveReplica(VersionedStore client, int seed) {
    toClose.add(client);
    CaGenerator generator = new CaGenerator(Providers.bouncyCastle(), new SecureRandom());
    return caKey -> {
      Optional<Versioned<byte[]>> current = client.get(caKey).join();
      if (current.isPresent()) {
        return codec.decode(current.get(), client.backend()).active().fingerprint().sha256Hex();
      }
      CaMaterial mine = generator.generate(
          new CaSpec("CN=naive " + seed, io.oneca.api.KeyAlgorithm.EC_P256, Duration.ofDays(1), 0), Instant.now());
      client.compareAndSet(caKey, Precondition.absent(),
          codec.encode(new CaRecord(mine, List.of(mine.certificate()), Instant.now(), "naive"), caKey)).join();
      return mine.fingerprint().sha256Hex();
    };
  }

  private Optional<String> storedFingerprint(String caKey) {
    return storage.get(caKey).join()
        .map(v -> codec.decode(v, storage.backend()).active().fingerprint().sha256Hex());
  }
}
