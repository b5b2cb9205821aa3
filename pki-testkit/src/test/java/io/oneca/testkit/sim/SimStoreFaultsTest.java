package io.oneca.testkit.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each fault of the simulated store does what it says, and a seed replays exactly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimStoreFaultsTest {
  private static final String KEY = "k";

  @Test
  void lostReply_appliesTheWrite_butReportsUnavailableWithUnknownOutcome() {
    SimScheduler scheduler = new SimScheduler(1);
    SimStore store = new SimStore(scheduler, 1, new StoreFaults(0, 1, Duration.ZERO, Duration.ZERO, 0, 0, 0));
    CompletableFuture<CasResult> write = store.client("a").compareAndSet(KEY, Precondition.absent(), bytes("x"));
    scheduler.runReady(100);

    assertThat(write).isCompletedExceptionally();
    assertThat(failure(write)).isInstanceOfSatisfying(StoreUnavailableException.class,
        e -> assertThat(e.writeOutcomeUnknown()).isTrue());
    assertThat(store.peek(KEY)).map(v -> new String(v.value(), UTF_8)).contains("x");
  }

  @Test
  void partition_failsOperationsOfThatClientOnly_andHealingRedelivers() {
    SimScheduler scheduler = new SimScheduler(1);
    SimStore store = new SimStore(scheduler, 1, StoreFaults.NONE);
    VersionedStore a = store.client("a");
    VersionedStore b = store.client("b");
    List<Optional<Versioned<byte[]>>> seen = new ArrayList<>();
    a.subscribe(KeyScope.key(KEY), (key, state) -> seen.add(state), scheduler);
    scheduler.runReady(100);
    store.partition("a", true);

    CompletableFuture<Optional<Versioned<byte[]>>> cutRead = a.get(KEY);
    CompletableFuture<CasResult> write = b.compareAndSet(KEY, Precondition.absent(), bytes("x"));
    scheduler.runReady(100);
    assertThat(failure(cutRead)).isInstanceOf(StoreUnavailableException.class);
    assertThat(write.getNow(null)).isInstanceOf(CasResult.Applied.class);
    assertThat(seen).containsExactly(Optional.empty());

    store.partition("a", false);
    scheduler.runReady(100);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).isPresent();
  }

  @Test
  void restore_makesVersionsGoBackwards_andReusesThem() {
    SimScheduler scheduler = new SimScheduler(1);
    SimStore store = new SimStore(scheduler, 1, StoreFaults.NONE);
    VersionedStore client = store.client("a");
    Versioned<byte[]> first = applied(client.compareAndSet(KEY, Precondition.absent(), bytes("one")), scheduler);
    SimStore.Snapshot backup = store.snapshot();
    Versioned<byte[]> second = applied(client.compareAndSet(KEY, Precondition.atVersion(first.version()),
        bytes("two")), scheduler);

    store.restore(backup);
    assertThat(store.peek(KEY).orElseThrow().version()).isEqualTo(first.version());
    Versioned<byte[]> other = applied(client.compareAndSet(KEY, Precondition.atVersion(first.version()),
        bytes("other")), scheduler);
    assertThat(other.version()).as("same version, other bytes").isEqualTo(second.version());
  }

  @Test
  void deleteRecord_removesWhateverTheVersion() {
    SimScheduler scheduler = new SimScheduler(1);
    SimStore store = new SimStore(scheduler, 1, StoreFaults.NONE);
    applied(store.client("a").compareAndSet(KEY, Precondition.absent(), bytes("x")), scheduler);
    assertThat(store.deleteRecord(KEY)).isTrue();
    assertThat(store.peek(KEY)).isEmpty();
    assertThat(store.deleteRecord(KEY)).isFalse();
  }

  @Test
  void delaysAndDuplicates_neverDeliverAnOlderState_unlessTheBuggyFaultIsOn() {
    assertThat(deliveredVersions(5, false)).isSorted();
    boolean backwards = false;
    for (long seed = 1; seed < 30 && !backwards; seed++) {
      List<Long> versions = deliveredVersions(seed, true);
      for (int i = 1; i < versions.size(); i++) {
        backwards |= versions.get(i) < versions.get(i - 1);
      }
    }
    assertThat(backwards).as("the buggy backend delivers a stale state after a newer one").isTrue();
  }

  @Test
  void sameSeed_sameOutcomes() {
    assertThat(deliveredVersions(11, true)).isEqualTo(deliveredVersions(11, true));
  }

  private static List<Long> deliveredVersions(long seed, boolean buggy) {
    SimScheduler scheduler = new SimScheduler(seed);
    SimStore store = new SimStore(scheduler, seed, new StoreFaults(0.1, 0.1, Duration.ofMillis(20),
        Duration.ofMillis(50), 0.5, buggy ? 0.5 : 0, 0));
    VersionedStore writer = store.client("w");
    List<Long> versions = new ArrayList<>();
    store.client("r").subscribe(KeyScope.key(KEY), (key, state) -> state.ifPresent(v -> versions.add(v.version())),
        scheduler);
    for (int i = 0; i < 20; i++) {
      Optional<Versioned<byte[]>> current = store.peek(KEY);
      writer.compareAndSet(KEY, current.map(v -> Precondition.atVersion(v.version())).orElse(Precondition.absent()),
          bytes("v" + i));
      scheduler.runFor(Duration.ofMillis(10), 1000);
    }
    scheduler.runFor(Duration.ofSeconds(1), 10_000);
    return versions;
  }

  private static Versioned<byte[]> applied(CompletableFuture<CasResult> write, SimScheduler scheduler) {
    scheduler.runReady(100);
    return ((CasResult.Applied) write.getNow(null)).value();
  }

  private static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    return future.handle((value, error) -> error).join();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
