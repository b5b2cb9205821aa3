package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.rotation.TransitionResult.Outcome;
import io.oneca.core.store.InMemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight replicas race to rotate, 100 rounds: every step is a compare-and-set from the version each
 * replica read, so exactly one replica's write wins each step, the others find it done, and no
 * replica ever sees the record go backwards.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RotationRaceTest {
  private static final int REPLICAS = 8;
  private static final int ROUNDS = 100;
  private final InMemoryStore store = InMemoryStore.create();
  private final List<OneCa> replicas = new ArrayList<>();
  private final ExecutorService racers = Executors.newFixedThreadPool(REPLICAS);
  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());

  @AfterEach
  void tearDown() {
    racers.shutdownNow();
    replicas.forEach(OneCa::close);
    store.close();
  }

  @Test
  void eightReplicasRotatingAtOnce_produceExactlyOneNewStatePerStep() throws Exception {
    Map<Integer, List<Long>> seenVersions = new ConcurrentHashMap<>();
    for (int i = 0; i < REPLICAS; i++) {
      OneCa replica = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).replicaId("replica-" + i)
          .caValidity(Duration.ofDays(30)).resyncInterval(Duration.ofMinutes(5))
          .rotation(RotationPolicy.builder().automatic(false).build()).build();
      replicas.add(replica);
      List<Long> versions = new CopyOnWriteArrayList<>();
      seenVersions.put(i, versions);
      replica.onCaChange(ca -> versions.add(ca.storeVersion()));
    }
    CompletableFuture.allOf(replicas.stream().map(OneCa::startAsync).toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);

    long lastVersion = stored().version();
    int steps = 0;
    for (int round = 0; round < ROUNDS; round++) {
      catchUp();
      Fingerprint before = decode(stored()).active().fingerprint();
      if (round % 2 == 0) {
        List<TransitionResult> prepared = race(replica -> replica.rotation().prepare());
        Fingerprint next = checkOneWinner(prepared, "prepare", round).status().prepared().orElseThrow().fingerprint();
        assertThat(decode(stored()).prepared().orElseThrow().fingerprint()).isEqualTo(next);
        catchUp();
        List<TransitionResult> activated = race(replica -> replica.rotation().activate());
        checkOneWinner(activated, "activate", round);
        assertThat(decode(stored()).active().fingerprint()).isEqualTo(next);
        steps += 2;
      } else {
        boolean distrust = round % 4 == 1;
        List<TransitionResult> forced = race(replica -> replica.rotation().force(before, distrust));
        Fingerprint next = checkOneWinner(forced, "force", round).status().active().fingerprint();
        CaRecord after = decode(stored());
        assertThat(after.active().fingerprint()).isEqualTo(next).isNotEqualTo(before);
        assertThat(after.retired().stream().anyMatch(old -> old.fingerprint().equals(before))).isEqualTo(!distrust);
        steps++;
      }
      long version = stored().version();
      assertThat(version).as("round %d", round).isGreaterThan(lastVersion);
      lastVersion = version;
    }

    catchUp();
    Fingerprint finalCa = decode(stored()).active().fingerprint();
    for (OneCa replica : replicas) {
      assertThat(replica.ca().fingerprint()).isEqualTo(finalCa);
    }
    for (Map.Entry<Integer, List<Long>> entry : seenVersions.entrySet()) {
      List<Long> versions = entry.getValue();
      assertThat(versions).as("versions adopted by replica %d", entry.getKey()).isSorted().doesNotHaveDuplicates();
    }
    assertThat(steps).isEqualTo(ROUNDS / 2 * 3);
  }

  private TransitionResult checkOneWinner(List<TransitionResult> results, String step, int round) {
    Map<Outcome, Long> outcomes = results.stream().collect(Collectors.groupingBy(TransitionResult::outcome,
        Collectors.counting()));
    assertThat(outcomes).as("%s in round %d", step, round).containsEntry(Outcome.APPLIED, 1L);
    assertThat(outcomes.keySet()).as("%s in round %d", step, round)
        .isSubsetOf(Outcome.APPLIED, Outcome.ALREADY_DONE, Outcome.NOTHING_TO_DO);
    TransitionResult winner = results.stream().filter(TransitionResult::applied).findFirst().orElseThrow();
    // A loser either found the step done, or (activate) had already adopted the winner's state before
    // it was asked, so that nothing was prepared any more: either way it reports the winner's state.
    for (TransitionResult loser : results) {
      if (!loser.applied()) {
        assertThat(loser.status().storeVersion()).as(loser.detail()).isGreaterThanOrEqualTo(winner.status().storeVersion());
        assertThat(loser.status().active().fingerprint()).isEqualTo(winner.status().active().fingerprint());
      }
    }
    return winner;
  }

  private List<TransitionResult> race(Function<OneCa, CompletableFuture<TransitionResult>> step) throws Exception {
    CyclicBarrier start = new CyclicBarrier(REPLICAS);
    List<Future<TransitionResult>> futures = new ArrayList<>();
    for (OneCa replica : replicas) {
      futures.add(racers.submit(() -> {
        start.await(10, TimeUnit.SECONDS);
        return step.apply(replica).get(30, TimeUnit.SECONDS);
      }));
    }
    List<TransitionResult> results = new ArrayList<>();
    for (Future<TransitionResult> future : futures) {
      results.add(future.get(60, TimeUnit.SECONDS));
    }
    return results;
  }

  private void catchUp() {
    long version = stored().version();
    await(() -> replicas.stream().allMatch(replica -> replica.ca().storeVersion() == version));
  }

  private Versioned<byte[]> stored() {
    try {
      return store.get("oneca/ca").get(10, TimeUnit.SECONDS).orElseThrow();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private CaRecord decode(Versioned<byte[]> stored) {
    return codec.decode(stored, "memory");
  }
}
