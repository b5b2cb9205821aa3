package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeliveryHubTest {
  private final ManualExecutor executor = new ManualExecutor();
  private final DeliveryHub<String> hub = DeliveryHub.create(executor);

  @Test
  void subscribe_itemHasAValue_deliversTheLatestAtOnce() {
    hub.publish("bundle", 1, "v1");
    hub.publish("bundle", 2, "v2");
    List<Versioned<String>> seen = new ArrayList<>();
    hub.subscribe("edge-1", "bundle", seen::add);
    executor.runAll();
    assertThat(seen).extracting(Versioned::value).containsExactly("v2");
  }

  @Test
  void subscribe_itemHasNoValue_deliversNothingUntilPublished() {
    List<Versioned<String>> seen = new ArrayList<>();
    hub.subscribe("edge-1", "bundle", seen::add);
    executor.runAll();
    assertThat(seen).isEmpty();
    hub.publish("bundle", 5, "v5");
    executor.runAll();
    assertThat(seen).extracting(Versioned::version).containsExactly(5L);
  }

  @Test
  void publish_olderOrEqualVersion_isIgnoredAndNotDelivered() {
    List<Versioned<String>> seen = new ArrayList<>();
    hub.subscribe("edge-1", "bundle", seen::add);
    assertThat(hub.publish("bundle", 3, "v3")).isTrue();
    assertThat(hub.publish("bundle", 3, "v3-again")).isFalse();
    assertThat(hub.publish("bundle", 2, "v2")).isFalse();
    executor.runAll();
    assertThat(seen).extracting(Versioned::value).containsExactly("v3");
    assertThat(hub.latest("bundle")).get().extracting(Versioned::value).isEqualTo("v3");
  }

  @Test
  @SuppressWarnings("unchecked") // the hub creates HubSubscription<String> for a DeliveryHub<String>
  void subscription_offeredAnOlderVersionLate_dropsIt() {
    // Two publishers race: v3's offer reaches the subscription before v2's (or a subscribe read v3
    // while the v3 publish was still offering). The subscription itself must refuse to go back.
    List<Long> seen = new ArrayList<>();
    HubSubscription<String> sub = (HubSubscription<String>) hub.subscribe("edge-1", "bundle", v -> seen.add(v.version()));
    sub.offer(new Versioned<>("bundle", "v3", 3));
    sub.offer(new Versioned<>("bundle", "v2", 2));
    sub.offer(new Versioned<>("bundle", "v3", 3));
    executor.runAll();
    sub.offer(new Versioned<>("bundle", "v2", 2));
    executor.runAll();
    assertThat(seen).containsExactly(3L);
  }

  @Test
  void slowConsumer_manyPublishes_receivesOnlyTheNewestAndHoldsOnePendingTask() {
    List<Versioned<String>> seen = new ArrayList<>();
    hub.subscribe("slow", "bundle", seen::add);
    for (int v = 1; v <= 10_000; v++) {
      hub.publish("bundle", v, "v" + v);
    }
    assertThat(executor.pending()).isEqualTo(1);
    executor.runAll();
    assertThat(seen).extracting(Versioned::version).containsExactly(10_000L);
  }

  @Test
  void subscriptions_haveUniqueIncreasingEpochs() {
    DeliverySubscription a = hub.subscribe("edge-1", "bundle", v -> { });
    DeliverySubscription b = hub.subscribe("edge-1", "bundle", v -> { });
    DeliverySubscription c = hub.subscribe("edge-2", "identity/edge-2", v -> { });
    assertThat(b.epoch()).isGreaterThan(a.epoch());
    assertThat(c.epoch()).isGreaterThan(b.epoch());
    assertThat(hub.subscriptionCount()).isEqualTo(3);
    assertThat(c.scope()).isEqualTo(KeyScope.key("identity/edge-2"));
  }

  @Test
  void close_removesOnlyItsOwnEpoch_andStopsPendingDelivery() {
    List<Versioned<String>> closedSeen = new ArrayList<>();
    List<Versioned<String>> openSeen = new ArrayList<>();
    DeliverySubscription a = hub.subscribe("edge-1", "bundle", closedSeen::add);
    hub.subscribe("edge-1", "bundle", openSeen::add);
    hub.publish("bundle", 1, "v1");
    a.close();
    a.close();
    executor.runAll();
    assertThat(closedSeen).isEmpty();
    assertThat(openSeen).extracting(Versioned::version).containsExactly(1L);
    assertThat(hub.subscriptionCount()).isEqualTo(1);
    assertThat(hub.liveConsumers("bundle")).containsExactly("edge-1");
  }

  @Test
  void throwingConsumer_isCountedAndAffectsNeitherOthersNorItsOwnLaterDeliveries() {
    List<Long> thrower = new ArrayList<>();
    List<Long> healthy = new ArrayList<>();
    hub.subscribe("bad", "bundle", v -> {
      thrower.add(v.version());
      throw new IllegalStateException("consumer bug");
    });
    hub.subscribe("good", "bundle", v -> healthy.add(v.version()));
    hub.publish("bundle", 1, "v1");
    executor.runAll();
    hub.publish("bundle", 2, "v2");
    executor.runAll();
    assertThat(healthy).containsExactly(1L, 2L);
    assertThat(thrower).containsExactly(1L, 2L);
    assertThat(hub.listenerFailures()).isEqualTo(2);
  }

  @Test
  void rejectingExecutor_isCountedAndTheNextPublishDeliversTheNewest() {
    AtomicInteger rejectNext = new AtomicInteger(1);
    DeliveryHub<String> rejecting = DeliveryHub.create(task -> {
      if (rejectNext.getAndDecrement() > 0) {
        throw new RejectedExecutionException("full");
      }
      task.run();
    });
    List<Long> seen = new ArrayList<>();
    rejecting.subscribe("edge-1", "bundle", v -> seen.add(v.version()));
    rejecting.publish("bundle", 1, "v1");
    assertThat(seen).isEmpty();
    assertThat(rejecting.rejectedDeliveries()).isEqualTo(1);
    rejecting.publish("bundle", 2, "v2");
    assertThat(seen).containsExactly(2L);
  }

  @Test
  void close_whileCallbackRuns_waitsForIt_andCloseFromInsideDoesNotDeadlock() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      DeliveryHub<String> live = DeliveryHub.create(pool);
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger finished = new AtomicInteger();
      DeliverySubscription sub = live.subscribe("edge-1", "bundle", v -> {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        finished.incrementAndGet();
      });
      live.publish("bundle", 1, "v1");
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Future<?> closing = pool.submit(sub::close);
      assertThatThrownBy(() -> closing.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      release.countDown();
      closing.get(10, TimeUnit.SECONDS);
      assertThat(finished.get()).isEqualTo(1);

      CountDownLatch selfClosed = new CountDownLatch(1);
      DeliverySubscription[] self = new DeliverySubscription[1];
      self[0] = live.subscribe("edge-2", "other", v -> {
        self[0].close();
        selfClosed.countDown();
      });
      live.publish("other", 1, "v1");
      assertThat(selfClosed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(self[0].isClosed()).isTrue();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void callbacksOfOneSubscription_neverOverlap_onAThreadPool() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      DeliveryHub<Integer> live = DeliveryHub.create(pool);
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      long[] last = new long[1];
      AtomicInteger backwards = new AtomicInteger();
      live.subscribe("edge-1", "bundle", v -> {
        if (inFlight.incrementAndGet() > 1) {
          overlaps.incrementAndGet();
        }
        if (v.version() <= last[0]) {
          backwards.incrementAndGet();
        }
        last[0] = v.version();
        inFlight.decrementAndGet();
      });
      for (int v = 1; v <= 20_000; v++) {
        live.publish("bundle", v, v);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (live.subscriptions("bundle").get(0).deliveredVersion() < 20_000 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      assertThat(live.subscriptions("bundle").get(0).deliveredVersion()).isEqualTo(20_000);
      assertThat(overlaps.get()).isZero();
      assertThat(backwards.get()).isZero();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void closedHub_refusesSubscribeAndPublish_andClosesSubscriptions() {
    DeliverySubscription sub = hub.subscribe("edge-1", "bundle", v -> { });
    hub.close();
    assertThat(sub.isClosed()).isTrue();
    assertThatThrownBy(() -> hub.subscribe("edge-1", "bundle", v -> { })).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> hub.publish("bundle", 1, "v1")).isInstanceOf(StoreClosedException.class);
  }
}
