package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real threads: concurrent publishers (whose deliveries can overtake each other) and consumers that
 * subscribe and close while publishes run. Every surviving subscription must end on the latest
 * version and never see a version go backwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeliveryHubConcurrencyTest {

  @Test
  void concurrentPublishersAndSubscribers_everySubscriptionEndsOnTheLatest_neverBackwards() throws Exception {
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    ExecutorService actors = Executors.newFixedThreadPool(4);
    try {
      DeliveryHub<Long> hub = DeliveryHub.create(callbacks);
      AtomicLong versions = new AtomicLong();
      Queue<String> violations = new ConcurrentLinkedQueue<>();
      Queue<DeliverySubscription> survivors = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> work = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        work.add(actors.submit(() -> {
          start.await();
          for (int i = 0; i < 5_000; i++) {
            long version = versions.incrementAndGet();
            hub.publish("bundle", version, version);
          }
          return null;
        }));
      }
      for (int c = 0; c < 2; c++) {
        int consumer = c;
        work.add(actors.submit(() -> {
          start.await();
          for (int i = 0; i < 500; i++) {
            long[] last = new long[1];
            DeliverySubscription sub = hub.subscribe("edge-" + consumer, "bundle", v -> {
              if (v.version() <= last[0]) {
                violations.add("v" + last[0] + " then v" + v.version());
              }
              last[0] = v.version();
            });
            if (i % 10 == 9) {
              survivors.add(sub);
            } else {
              sub.close();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : work) {
        future.get(30, TimeUnit.SECONDS);
      }
      long latest = hub.latest("bundle").orElseThrow().version();
      assertThat(latest).isEqualTo(10_000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (survivors.stream().anyMatch(s -> s.deliveredVersion() < latest) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      assertThat(survivors).hasSize(100).allSatisfy(s -> assertThat(s.deliveredVersion()).isEqualTo(latest));
      assertThat(violations).isEmpty();
      assertThat(hub.subscriptionCount()).isEqualTo(100);
    } finally {
      actors.shutdownNow();
      callbacks.shutdownNow();
      assertThat(actors.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(callbacks.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
