package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.Await;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenRevocationsTest {
  private static final String KEY = TokenRevocations.DEFAULT_KEY;
  private static final String ID_A = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String ID_B = "bbbbbbbbbbbbbbbbbbbbbbbb";

  private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-22T02:00:00Z"));
  private final InMemoryStore storage = InMemoryStore.create();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    storage.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void revoke_onOneReplica_seenByAnotherThroughItsSubscription() {
    TokenRevocations first = start(client());
    TokenRevocations second = start(client());

    first.revoke(ID_A, clock.instant().plusSeconds(600));

    assertThat(first.isRevoked(ID_A)).isTrue();
    Await.until("the second replica's subscription delivers the revocation", Duration.ofSeconds(10),
        () -> second.isRevoked(ID_A));
    assertThat(second.isRevoked(ID_B)).isFalse();
  }

  @Test
  void start_readsExistingList() {
    start(client()).revoke(ID_A, clock.instant().plusSeconds(600));

    TokenRevocations later = start(client());

    assertThat(later.isRevoked(ID_A)).isTrue();
    assertThat(later.version()).isPositive();
  }

  @Test
  void concurrentRevocations_onTwoReplicas_bothKept() throws Exception {
    TokenRevocations first = start(client());
    TokenRevocations second = start(client());
    ExecutorService racers = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Void> a = CompletableFuture.runAsync(() -> first.revoke(ID_A, clock.instant().plusSeconds(600)), racers);
      CompletableFuture<Void> b = CompletableFuture.runAsync(() -> second.revoke(ID_B, clock.instant().plusSeconds(600)), racers);
      CompletableFuture.allOf(a, b).get(20, TimeUnit.SECONDS);
    } finally {
      racers.shutdownNow();
    }

    TokenRevocations reader = start(client());
    assertThat(reader.isRevoked(ID_A)).isTrue();
    assertThat(reader.isRevoked(ID_B)).isTrue();
  }

  @Test
  void revoke_prunesEntriesOfExpiredTokens() {
    TokenRevocations revocations = start(client());
    revocations.revoke(ID_A, clock.instant().plusSeconds(60));

    clock.advance(Duration.ofSeconds(61));
    revocations.revoke(ID_B, clock.instant().plusSeconds(60));

    assertThat(stored()).doesNotContain(ID_A).contains(ID_B);
    assertThat(revocations.size()).isEqualTo(1);
  }

  @Test
  void revoke_alreadyExpiredOrTwice_writesNothingMore() {
    TokenRevocations revocations = start(client());
    revocations.revoke(ID_B, clock.instant().minusSeconds(1));
    assertThat(read()).isEmpty();

    revocations.revoke(ID_A, clock.instant().plusSeconds(60));
    long version = read().orElseThrow().version();
    revocations.revoke(ID_A, clock.instant().plusSeconds(60));

    assertThat(read().orElseThrow().version()).isEqualTo(version);
  }

  @Test
  void unreadableRecord_neverOverwritten_andIsRevokedFailsClosed() throws Exception {
    byte[] garbage = "not a revocation list".getBytes(StandardCharsets.US_ASCII);
    storage.compareAndSet(KEY, Precondition.absent(), garbage).get(5, TimeUnit.SECONDS);
    TokenRevocations revocations = start(client());

    assertThatThrownBy(() -> revocations.revoke(ID_A, clock.instant().plusSeconds(60)))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining(KEY);
    assertThatThrownBy(() -> revocations.isRevoked(ID_B)).isInstanceOf(UnreadableRecordException.class);
    assertThat(revocations.problem()).isPresent();
    assertThat(read().orElseThrow().value()).isEqualTo(garbage);
  }

  @Test
  void unreadableRecordWrittenLater_followerFailsClosed_untilARepairedVersion() throws Exception {
    TokenRevocations writer = start(client());
    TokenRevocations follower = start(client());
    writer.revoke(ID_A, clock.instant().plusSeconds(600));
    Await.until("follower sees the list", Duration.ofSeconds(10), () -> follower.isRevoked(ID_A));
    long version = read().orElseThrow().version();

    storage.compareAndSet(KEY, Precondition.atVersion(version), new byte[] {1, 2, 3}).get(5, TimeUnit.SECONDS);
    Await.until("follower notices the damage", Duration.ofSeconds(10), () -> follower.problem().isPresent());
    assertThatThrownBy(() -> follower.isRevoked(ID_A)).isInstanceOf(UnreadableRecordException.class);

    long damaged = read().orElseThrow().version();
    byte[] repaired = new RevocationList(java.util.Map.of(ID_B, clock.instant().plusSeconds(600))).encode();
    storage.compareAndSet(KEY, Precondition.atVersion(damaged), repaired).get(5, TimeUnit.SECONDS);
    Await.until("follower adopts the repaired list", Duration.ofSeconds(10), () -> follower.problem().isEmpty());
    assertThat(follower.isRevoked(ID_B)).isTrue();
  }

  @Test
  void lostWriteReply_settledByReread_neverRetriedBlindly() {
    FaultInjectingStore faulty = FaultInjectingStore.wrap(client());
    TokenRevocations revocations = start(faulty);
    faulty.loseReplyOfNextWrites(1);

    revocations.revoke(ID_A, clock.instant().plusSeconds(60));

    assertThat(faulty.calls(FaultInjectingStore.Operation.COMPARE_AND_SET)).isEqualTo(1);
    assertThat(stored()).contains(ID_A);
    assertThat(revocations.isRevoked(ID_A)).isTrue();
  }

  @Test
  void lostWriteReply_andRereadFails_reportsOutcomeUnknown() {
    FaultInjectingStore faulty = FaultInjectingStore.wrap(client());
    AtomicInteger gets = new AtomicInteger();
    TokenRevocations revocations = start(failingGetsAfter(faulty, gets, 2));
    faulty.loseReplyOfNextWrites(1);

    assertThatThrownBy(() -> revocations.revoke(ID_A, clock.instant().plusSeconds(60)))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isTrue();
          assertThat(e.key()).isEqualTo(KEY);
        });
    assertThat(faulty.calls(FaultInjectingStore.Operation.COMPARE_AND_SET)).isEqualTo(1);
  }

  @Test
  void revoke_storeDown_unavailableWithoutWriting() {
    FaultInjectingStore faulty = FaultInjectingStore.wrap(client());
    TokenRevocations revocations = start(faulty);
    faulty.setUnavailable(true);

    assertThatThrownBy(() -> revocations.revoke(ID_A, clock.instant().plusSeconds(60)))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> assertThat(e.writeOutcomeUnknown()).isFalse());
    assertThat(read()).isEmpty();
  }

  @Test
  void revocationList_decodeIsStrict() {
    byte[] good = new RevocationList(java.util.Map.of(ID_A, Instant.ofEpochSecond(100))).encode();
    assertThat(RevocationList.decode(good, 10)).isPresent();
    for (String bad : List.of("", "oneca-join-revocations/1", "oneca-join-revocations/2\n",
        "oneca-join-revocations/1\n" + ID_A + " 100",
        "oneca-join-revocations/1\n" + ID_A + " 0100\n",
        "oneca-join-revocations/1\n" + ID_A.toUpperCase() + " 100\n",
        "oneca-join-revocations/1\n" + ID_A + " 100\n" + ID_A + " 200\n")) {
      assertThat(RevocationList.decode(bad.getBytes(StandardCharsets.US_ASCII), 10)).as(bad).isEmpty();
    }
    assertThat(RevocationList.decode(good, 0)).isEmpty();
  }

  private VersionedStore client() {
    InMemoryStore client = storage.newClient();
    closeables.add(client);
    return client;
  }

  private TokenRevocations start(VersionedStore store) {
    TokenRevocations revocations = TokenRevocations.start(store, KEY, executor, clock);
    closeables.add(0, revocations);
    return revocations;
  }

  private Optional<Versioned<byte[]>> read() {
    return storage.get(KEY).join();
  }

  private String stored() {
    return new String(read().orElseThrow().value(), StandardCharsets.US_ASCII);
  }

  /** A store whose get fails from the (after+1)-th call on, with an ordinary unavailability. */
  private static VersionedStore failingGetsAfter(VersionedStore delegate, AtomicInteger gets, int after) {
    return (VersionedStore) Proxy.newProxyInstance(VersionedStore.class.getClassLoader(), new Class<?>[] {VersionedStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("get") && gets.incrementAndGet() > after) {
            return CompletableFuture.failedFuture(new StoreUnavailableException(delegate.backend(), KEY, false,
                "injected read failure", null));
          }
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
