package io.oneca.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreClosedException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.FaultInjectingStore.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultInjectingStoreTest {
  private static final String KEY = "oneca/test/ca";

  private final InMemoryStore storage = InMemoryStore.create();
  private final InMemoryStore direct = storage.newClient();
  private final FaultInjectingStore store = FaultInjectingStore.wrap(storage.newClient());
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() throws InterruptedException {
    store.close();
    direct.close();
    storage.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void noFaultArmed_passesEveryOperationThroughAndCountsIt() throws Exception {
    Versioned<byte[]> created = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")));

    assertThat(store.get(KEY).get(5, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(created.version()));
    assertThat(store.list("oneca/").get(5, TimeUnit.SECONDS)).extracting(Versioned::key).containsExactly(KEY);
    assertThat(store.delete(KEY, Precondition.atVersion(created.version())).get(5, TimeUnit.SECONDS).applied()).isTrue();
    assertThat(store.backend()).isEqualTo(direct.backend());
    assertThat(List.of(store.calls(Operation.GET), store.calls(Operation.COMPARE_AND_SET),
        store.calls(Operation.DELETE), store.calls(Operation.LIST))).containsExactly(1L, 1L, 1L, 1L);
  }

  @Test
  void failNext_get_failsThatManyCallsThenRecovers() throws Exception {
    Versioned<byte[]> created = applied(direct.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    store.failNext(Operation.GET, 2);

    assertUnavailable(store.get(KEY), false);
    assertUnavailable(store.get(KEY), false);

    assertThat(store.get(KEY).get(5, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(created.version()));
    assertThat(store.calls(Operation.GET)).isEqualTo(3);
  }

  @Test
  void failNext_compareAndSet_doesNotReachDelegate() throws Exception {
    store.failNext(Operation.COMPARE_AND_SET, 1);

    StoreUnavailableException failure = assertUnavailable(store.compareAndSet(KEY, Precondition.absent(), bytes("x")), false);

    assertThat(failure.key()).isEqualTo(KEY);
    assertThat(failure.backend()).isEqualTo(direct.backend());
    assertThat(failure.getMessage()).contains("injected fault");
    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(store.compareAndSet(KEY, Precondition.absent(), bytes("x")).get(5, TimeUnit.SECONDS).applied()).isTrue();
  }

  @Test
  void failNext_deleteAndList_failOnlyTheirOwnOperation() throws Exception {
    Versioned<byte[]> created = applied(direct.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    store.failNext(Operation.DELETE, 1);
    store.failNext(Operation.LIST, 1);

    assertUnavailable(store.delete(KEY, Precondition.atVersion(created.version())), false);
    assertUnavailable(store.list("oneca/"), false);
    assertThat(store.get(KEY).get(5, TimeUnit.SECONDS)).isPresent();

    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).isPresent();
    assertThat(store.list("oneca/").get(5, TimeUnit.SECONDS)).hasSize(1);
  }

  @Test
  void failNext_zero_disarmsAndNegativeIsRejected() throws Exception {
    store.failNext(Operation.GET, 5);
    store.failNext(Operation.GET, 0);

    assertThat(store.get(KEY).get(5, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> store.failNext(Operation.GET, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.loseReplyOfNextWrites(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delayResponses(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void setUnavailable_failsEveryOperationUntilSwitchedOff() throws Exception {
    Versioned<byte[]> created = applied(direct.compareAndSet(KEY, Precondition.absent(), bytes("one")));
    store.failNext(Operation.GET, 1);
    store.setUnavailable(true);

    assertUnavailable(store.get(KEY), false);
    assertUnavailable(store.compareAndSet(KEY, Precondition.atVersion(created.version()), bytes("two")), false);
    assertUnavailable(store.delete(KEY, Precondition.atVersion(created.version())), false);
    assertUnavailable(store.list("oneca/"), false);
    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(created.version()));

    store.setUnavailable(false);
    assertUnavailable(store.get(KEY), false);
    assertThat(store.get(KEY).get(5, TimeUnit.SECONDS)).isPresent();
  }

  @Test
  void loseReplyOfNextWrites_appliesWriteButReportsOutcomeUnknown() throws Exception {
    store.loseReplyOfNextWrites(1);

    StoreUnavailableException failure = assertUnavailable(store.compareAndSet(KEY, Precondition.absent(), bytes("mine")), true);

    assertThat(failure.key()).isEqualTo(KEY);
    Versioned<byte[]> stored = direct.get(KEY).get(5, TimeUnit.SECONDS).orElseThrow();
    assertThat(new String(stored.value(), UTF_8)).isEqualTo("mine");
    CasResult next = store.compareAndSet(KEY, Precondition.atVersion(stored.version()), bytes("again")).get(5, TimeUnit.SECONDS);
    assertThat(next.applied()).isTrue();
  }

  @Test
  void loseReplyOfNextWrites_conflictIsAlsoLost() throws Exception {
    Versioned<byte[]> winner = applied(direct.compareAndSet(KEY, Precondition.absent(), bytes("winner")));
    store.loseReplyOfNextWrites(2);

    assertUnavailable(store.compareAndSet(KEY, Precondition.absent(), bytes("loser")), true);

    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(winner.version()));
    assertUnavailable(store.compareAndSet(KEY, Precondition.atVersion(winner.version()), bytes("applied")), true);
    assertThat(new String(direct.get(KEY).get(5, TimeUnit.SECONDS).orElseThrow().value(), UTF_8)).isEqualTo("applied");
  }

  @Test
  void loseReplyOfNextWrites_failNextTakesPrecedenceAndKeepsTheLostReply() throws Exception {
    store.failNext(Operation.COMPARE_AND_SET, 1);
    store.loseReplyOfNextWrites(1);

    assertUnavailable(store.compareAndSet(KEY, Precondition.absent(), bytes("x")), false);
    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).isEmpty();
    assertUnavailable(store.compareAndSet(KEY, Precondition.absent(), bytes("x")), true);
    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).isPresent();
  }

  @Test
  void delayResponses_completesNoEarlierThanTheDelayButAppliesAtOnce() throws Exception {
    Duration delay = Duration.ofMillis(150);
    store.delayResponses(delay);

    long start = System.nanoTime();
    CompletableFuture<CasResult> write = store.compareAndSet(KEY, Precondition.absent(), bytes("slow"));
    assertThat(direct.get(KEY).get(5, TimeUnit.SECONDS)).isPresent();
    CasResult result = write.get(5, TimeUnit.SECONDS);
    long elapsed = System.nanoTime() - start;

    assertThat(result.applied()).isTrue();
    assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(delay);
  }

  @Test
  void delayResponses_delaysInjectedFailuresTooAndZeroTurnsDelaysOff() throws Exception {
    Duration delay = Duration.ofMillis(100);
    store.delayResponses(delay);
    store.failNext(Operation.GET, 1);

    long start = System.nanoTime();
    assertUnavailable(store.get(KEY), false);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(delay);

    store.delayResponses(Duration.ZERO);
    assertThat(store.get(KEY).isDone()).isTrue();
  }

  @Test
  void reset_disarmsEveryFaultAndKeepsCounts() throws Exception {
    store.failNext(Operation.LIST, 3);
    store.setUnavailable(true);
    store.loseReplyOfNextWrites(3);
    store.delayResponses(Duration.ofMinutes(10));
    assertThat(store.get(KEY).isDone()).isFalse();

    store.reset();

    assertThat(store.list("oneca/").isDone()).isTrue();
    assertThat(store.compareAndSet(KEY, Precondition.absent(), bytes("x")).get(5, TimeUnit.SECONDS).applied()).isTrue();
    assertThat(store.calls(Operation.GET)).isEqualTo(1);
  }

  @Test
  void invalidArguments_throwSynchronouslyWithoutCountingOrConsumingFaults() {
    store.failNext(Operation.GET, 1);
    store.failNext(Operation.COMPARE_AND_SET, 1);

    assertThatThrownBy(() -> store.get("a//b")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> store.compareAndSet(KEY, Precondition.absent(), new byte[StoreKeys.MAX_VALUE_BYTES + 1]))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> store.delete(KEY, Precondition.absent())).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> store.list("/")).isInstanceOf(InvalidRequestException.class);

    assertThat(store.calls(Operation.GET)).isZero();
    assertThat(store.calls(Operation.COMPARE_AND_SET)).isZero();
    assertUnavailable(store.get(KEY), false);
  }

  @Test
  void closed_failsWithStoreClosedWhateverIsArmedAndClosesDelegate() throws Exception {
    store.setUnavailable(true);
    store.close();
    store.close();

    assertClosed(store.get(KEY));
    assertClosed(store.compareAndSet(KEY, Precondition.absent(), bytes("x")));
    assertClosed(store.delete(KEY, Precondition.atVersion(1)));
    assertClosed(store.list("oneca/"));
    assertThatThrownBy(() -> store.subscribe(KeyScope.key(KEY), (k, s) -> { }, executor)).isInstanceOf(StoreClosedException.class);
    assertClosed(store.delegate().get(KEY));
    assertThat(store.calls(Operation.GET)).isZero();
  }

  @Test
  void subscribe_passesThroughEvenWhileUnavailable() throws Exception {
    BlockingQueue<Optional<Versioned<byte[]>>> states = new LinkedBlockingQueue<>();
    store.setUnavailable(true);
    Subscription subscription = store.subscribe(KeyScope.key(KEY), (k, s) -> states.add(s), executor);

    assertThat(states.poll(5, TimeUnit.SECONDS)).isEmpty();
    Versioned<byte[]> created = applied(direct.compareAndSet(KEY, Precondition.absent(), bytes("seen")));
    assertThat(states.poll(5, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(created.version()));
    subscription.close();
    assertThat(subscription.isClosed()).isTrue();
  }

  @Test
  void failNext_concurrentCallers_failExactlyThatManyCalls() throws Exception {
    int threads = 4;
    int callsEach = 50;
    store.failNext(Operation.GET, 100);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger failures = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          assertThat(start.await(5, TimeUnit.SECONDS)).isTrue();
          for (int i = 0; i < callsEach; i++) {
            if (store.get(KEY).isCompletedExceptionally()) {
              failures.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(failures.get()).isEqualTo(100);
    assertThat(store.calls(Operation.GET)).isEqualTo((long) threads * callsEach);
  }

  private static StoreUnavailableException assertUnavailable(CompletableFuture<?> future, boolean writeOutcomeUnknown) {
    Throwable failure = failureOf(future);
    assertThat(failure).isInstanceOf(StoreUnavailableException.class);
    StoreUnavailableException unavailable = (StoreUnavailableException) failure;
    assertThat(unavailable.writeOutcomeUnknown()).isEqualTo(writeOutcomeUnknown);
    return unavailable;
  }

  private static void assertClosed(CompletableFuture<?> future) {
    assertThat(failureOf(future)).isInstanceOf(StoreClosedException.class);
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    try {
      Object value = future.get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, completed with " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("did not complete", e);
    }
  }

  private static Versioned<byte[]> applied(CompletableFuture<CasResult> result) throws Exception {
    CasResult done = result.get(5, TimeUnit.SECONDS);
    assertThat(done).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) done).value();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
