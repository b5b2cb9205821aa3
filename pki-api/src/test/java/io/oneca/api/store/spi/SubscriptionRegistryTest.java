package io.oneca.api.store.spi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SubscriptionRegistryTest {
  private static final Executor DIRECT = Runnable::run;
  private static final long BOUND_SECONDS = 5;

  private final SubscriptionRegistry registry = new SubscriptionRegistry("test:registry");
  private final List<ExecutorService> executors = new ArrayList<>();

  @AfterEach
  void stopExecutors() throws InterruptedException {
    registry.closeAll();
    for (ExecutorService executor : executors) {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void publish_whileListenerBlocked_deliversOnlyNewestPendingState() throws Exception {
    ExecutorService executor = singleThread();
    Recorder recorder = new Recorder();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    registry.register(KeyScope.key("k"), (key, state) -> {
      recorder.onState(key, state);
      if (entered.getCount() > 0) {
        entered.countDown();
        await(release);
      }
    }, executor);

    registry.publish("k", state("k", 1));
    await(entered);
    for (long version = 2; version <= 101; version++) {
      registry.publish("k", state("k", version));
    }
    release.countDown();

    recorder.awaitCall("k@101");
    flush(executor);
    assertThat(recorder.calls()).containsExactly("k@1", "k@101");
  }

  @Test
  void publish_manyKeysWhileListenerBlocked_keepsOnePendingStatePerKey() throws Exception {
    ExecutorService executor = singleThread();
    Recorder recorder = new Recorder();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    registry.register(KeyScope.prefix("p/"), (key, state) -> {
      recorder.onState(key, state);
      if (entered.getCount() > 0) {
        entered.countDown();
        await(release);
      }
    }, executor);
    registry.publish("p/first", state("p/first", 1));
    await(entered);

    for (long version = 1; version <= 100; version++) {
      for (int key = 0; key < 3; key++) {
        registry.publish("p/" + key, state("p/" + key, version));
      }
    }
    release.countDown();

    recorder.awaitCall("p/2@100");
    flush(executor);
    assertThat(recorder.calls()).containsExactly("p/first@1", "p/0@100", "p/1@100", "p/2@100");
  }

  @Test
  void publish_moreKeysThanOneDrainTaskDelivers_deliversAll() throws Exception {
    ExecutorService executor = singleThread();
    Recorder recorder = new Recorder();
    CountDownLatch release = new CountDownLatch(1);
    registry.register(KeyScope.prefix("p/"), (key, state) -> {
      await(release);
      recorder.onState(key, state);
    }, executor);

    for (int key = 0; key < 200; key++) {
      registry.publish("p/" + key, state("p/" + key, 1));
    }
    release.countDown();

    recorder.awaitCall("p/199@1");
    assertThat(recorder.calls()).hasSize(200);
  }

  @Test
  void publish_olderOrSameVersion_isDropped() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.key("k"), recorder, DIRECT);

    registry.publish("k", state("k", 5));
    registry.publish("k", state("k", 3));
    registry.publish("k", state("k", 5));
    registry.publish("k", state("k", 6));

    assertThat(recorder.calls()).containsExactly("k@5", "k@6");
  }

  @Test
  void publish_afterDelete_versionNotAboveDeletedOneIsDropped() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, DIRECT);

    registry.publish("p/k", state("p/k", 5));
    registry.publish("p/k", Optional.empty());
    registry.publish("p/k", state("p/k", 4));
    registry.publish("p/k", state("p/k", 5));
    registry.publish("p/k", state("p/k", 7));

    assertThat(recorder.calls()).containsExactly("p/k@5", "p/k=absent", "p/k@7");
  }

  @Test
  void publish_absentTwice_isDeliveredOnce() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.key("k"), recorder, DIRECT);

    registry.publish("k", state("k", 2));
    registry.publish("k", Optional.empty());
    registry.publish("k", Optional.empty());
    registry.publishSnapshot(KeyScope.key("k"), List.of());

    assertThat(recorder.calls()).containsExactly("k@2", "k=absent");
  }

  @Test
  void publish_absentOfUnknownKeyToPrefix_isNotDelivered() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, DIRECT);

    registry.publish("p/never-seen", Optional.empty());
    registry.publishSnapshot(KeyScope.prefix("p/"), List.of());

    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void publish_keyOutsideScope_isNotDelivered() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, DIRECT);
    registry.register(KeyScope.key("k"), recorder, DIRECT);

    registry.publish("p2/x", state("p2/x", 1));
    registry.publish("k2", state("k2", 1));
    registry.publish("p", state("p", 1));

    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void publishSnapshot_exactScopeWithoutKey_deliversOneInitialAbsent() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.key("k"), recorder, DIRECT);

    registry.publishSnapshot(KeyScope.key("k"), List.of());
    registry.publishSnapshot(KeyScope.key("k"), List.of());
    registry.publishSnapshot(KeyScope.prefix("k"), List.of(state("k2", 1).orElseThrow()));

    assertThat(recorder.calls()).containsExactly("k=absent");
  }

  @Test
  void publishSnapshot_presentKeys_deliversEachOnceThenOnlyNewer() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, DIRECT);

    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/a", 1), value("p/b", 2), value("q/c", 3)));
    List<String> initial = recorder.calls();
    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/a", 1), value("p/b", 4)));

    assertThat(initial).containsExactlyInAnyOrder("p/a@1", "p/b@2");
    assertThat(recorder.calls()).hasSize(3).endsWith("p/b@4");
  }

  @Test
  void publishSnapshot_vanishedKeys_deliversAbsentOnlyForKeysInAuthority() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, DIRECT);
    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/a", 1), value("p/b", 2), value("p/c", 3)));
    assertThat(recorder.calls()).containsExactlyInAnyOrder("p/a@1", "p/b@2", "p/c@3");

    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/a", 1), value("p/c", 3)));
    registry.publishSnapshot(KeyScope.key("p/a"), List.of());
    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/c", 3)));

    assertThat(recorder.calls().subList(3, recorder.calls().size())).containsExactly("p/b=absent", "p/a=absent");
  }

  @Test
  void register_epochsAreUniqueAndIncreasing() {
    Subscription first = registry.register(KeyScope.key("k"), new Recorder(), DIRECT);
    Subscription second = registry.register(KeyScope.key("k"), new Recorder(), DIRECT);

    assertThat(second.epoch()).isGreaterThan(first.epoch());
    assertThat(registry.size()).isEqualTo(2);
    assertThat(registry.activeScopes()).containsExactly(KeyScope.key("k"), KeyScope.key("k"));
  }

  @Test
  void close_olderEpoch_leavesNewerSubscriptionReceiving() {
    Recorder older = new Recorder();
    Recorder newer = new Recorder();
    Subscription first = registry.register(KeyScope.key("k"), older, DIRECT);
    registry.register(KeyScope.key("k"), newer, DIRECT);
    registry.publish("k", state("k", 1));

    first.close();
    first.close();
    registry.publish("k", state("k", 2));

    assertThat(first.isClosed()).isTrue();
    assertThat(older.calls()).containsExactly("k@1");
    assertThat(newer.calls()).containsExactly("k@1", "k@2");
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void close_fromInsideListener_doesNotDeadlockAndStopsDelivery() throws Exception {
    ExecutorService executor = singleThread();
    AtomicReference<Subscription> self = new AtomicReference<>();
    CountDownLatch closedInside = new CountDownLatch(1);
    Recorder recorder = new Recorder();
    self.set(registry.register(KeyScope.key("k"), (key, state) -> {
      recorder.onState(key, state);
      self.get().close();
      closedInside.countDown();
    }, executor));

    registry.publish("k", state("k", 1));

    await(closedInside);
    registry.publish("k", state("k", 2));
    flush(executor);
    assertThat(self.get().isClosed()).isTrue();
    assertThat(recorder.calls()).containsExactly("k@1");
    assertThat(registry.size()).isZero();
  }

  @Test
  void close_whileListenerRuns_returnsOnlyAfterListenerReturned() throws Exception {
    BlockedListener blocked = new BlockedListener();
    Subscription subscription = registry.register(KeyScope.key("k"), blocked, singleThread());
    registry.publish("k", state("k", 1));
    await(blocked.entered);

    Closer closer = new Closer(subscription, blocked);
    try {
      assertThat(closer.returned.await(100, TimeUnit.MILLISECONDS)).as("close returned while listener ran").isFalse();
    } finally {
      blocked.release.countDown();
    }

    await(closer.returned);
    assertThat(closer.listenerReturnedFirst.get()).isTrue();
  }

  @Test
  void close_secondConcurrentCall_alsoWaitsForRunningListener() throws Exception {
    BlockedListener blocked = new BlockedListener();
    Subscription subscription = registry.register(KeyScope.key("k"), blocked, singleThread());
    registry.publish("k", state("k", 1));
    await(blocked.entered);
    Closer first = new Closer(subscription, blocked);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    while (!subscription.isClosed() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(subscription.isClosed()).as("first close started").isTrue();

    Closer second = new Closer(subscription, blocked);
    try {
      assertThat(second.returned.await(100, TimeUnit.MILLISECONDS)).as("second close returned while listener ran").isFalse();
    } finally {
      blocked.release.countDown();
    }

    await(first.returned);
    await(second.returned);
    assertThat(first.listenerReturnedFirst.get()).isTrue();
    assertThat(second.listenerReturnedFirst.get()).isTrue();
  }

  @Test
  void executor_rejecting_doesNotThrowToPublisherAndNewestStateStaysPending() {
    AtomicBoolean reject = new AtomicBoolean(true);
    Executor flaky = task -> {
      if (reject.get()) {
        throw new RejectedExecutionException("saturated");
      }
      task.run();
    };
    Recorder recorder = new Recorder();
    registry.register(KeyScope.prefix("p/"), recorder, flaky);

    registry.publish("p/a", state("p/a", 1));
    registry.publishSnapshot(KeyScope.prefix("p/"), List.of(value("p/a", 2)));
    reject.set(false);
    registry.publish("p/b", state("p/b", 3));

    assertThat(recorder.calls()).containsExactly("p/a@2", "p/b@3");
  }

  @Test
  void listener_throwingRuntimeException_laterDeliveriesContinue() {
    Recorder recorder = new Recorder();
    registry.register(KeyScope.key("k"), (key, state) -> {
      recorder.onState(key, state);
      if (recorder.calls().size() == 1) {
        throw new IllegalStateException("listener bug");
      }
    }, DIRECT);

    registry.publish("k", state("k", 1));
    registry.publish("k", state("k", 2));

    assertThat(recorder.calls()).containsExactly("k@1", "k@2");
  }

  @Test
  void listener_throwingError_laterDeliveriesContinue() {
    List<Throwable> escaped = new ArrayList<>();
    Executor catching = task -> {
      try {
        task.run();
      } catch (Throwable t) {
        escaped.add(t);
      }
    };
    Recorder recorder = new Recorder();
    registry.register(KeyScope.key("k"), (key, state) -> {
      recorder.onState(key, state);
      if (recorder.calls().size() == 1) {
        throw new AssertionError("listener assertion");
      }
    }, catching);

    registry.publish("k", state("k", 1));
    registry.publish("k", state("k", 2));

    assertThat(recorder.calls()).containsExactly("k@1", "k@2");
    assertThat(escaped).hasSize(1).first().isInstanceOf(AssertionError.class);
  }

  @Test
  void closeAll_closesEverySubscriptionAndRejectsNewOnes() {
    Recorder recorder = new Recorder();
    Subscription subscription = registry.register(KeyScope.key("k"), recorder, DIRECT);

    registry.closeAll();
    registry.publish("k", state("k", 1));

    assertThat(subscription.isClosed()).isTrue();
    assertThat(recorder.calls()).isEmpty();
    assertThat(registry.size()).isZero();
    assertThatThrownBy(() -> registry.register(KeyScope.key("k"), recorder, DIRECT))
        .isInstanceOf(StoreClosedException.class)
        .hasMessageContaining("test:registry");
  }

  // ---- helpers ----

  private ExecutorService singleThread() {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    executors.add(executor);
    return executor;
  }

  private static void flush(ExecutorService executor) throws Exception {
    executor.submit(() -> { }).get(BOUND_SECONDS, TimeUnit.SECONDS);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(BOUND_SECONDS, TimeUnit.SECONDS)).as("latch released in time").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Versioned<byte[]> value(String key, long version) {
    return new Versioned<>(key, (key + "@" + version).getBytes(UTF_8), version);
  }

  private static Optional<Versioned<byte[]>> state(String key, long version) {
    return Optional.of(value(key, version));
  }

  /** Records calls as "key@version" or "key=absent". */
  private static final class Recorder implements StoreListener {
    private final List<String> calls = new ArrayList<>();
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void onState(String key, Optional<Versioned<byte[]>> state) {
      String call = state.map(v -> key + "@" + v.version()).orElse(key + "=absent");
      synchronized (this) {
        calls.add(call);
      }
      queue.add(call);
    }

    synchronized List<String> calls() {
      return new ArrayList<>(calls);
    }

    void awaitCall(String expected) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
      String call;
      do {
        call = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(call).as("call " + expected + " within bound; calls so far " + calls()).isNotNull();
      } while (!call.equals(expected));
    }
  }

  /** Blocks in its first call until released. */
  private static final class BlockedListener implements StoreListener {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean returned = new AtomicBoolean();

    @Override
    public void onState(String key, Optional<Versioned<byte[]>> state) {
      entered.countDown();
      await(release);
      returned.set(true);
    }
  }

  /** Closes a subscription on its own thread and notes whether the listener had returned by then. */
  private static final class Closer {
    final CountDownLatch returned = new CountDownLatch(1);
    final AtomicBoolean listenerReturnedFirst = new AtomicBoolean();

    Closer(Subscription subscription, BlockedListener listener) {
      Thread thread = new Thread(() -> {
        subscription.close();
        listenerReturnedFirst.set(listener.returned.get());
        returned.countDown();
      }, "closer");
      thread.setDaemon(true);
      thread.start();
    }
  }
}
