package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CaView;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dispatcher's invariants: executor only, one call at a time, strictly increasing, newest delivered. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaChangeDispatcherTest {
  private static final CaMaterial CA = StoredCas.newCa("CN=Dispatcher Test CA", Duration.ofDays(30), Instant.now());

  private static CaView view(long version) {
    return new CaView("oneca/ca", version, CA.fingerprint(), CA.chain(), List.of(CA.certificate()),
        CA.keyAlgorithm());
  }

  /** An executor the test drives: tasks wait in a queue until the test runs them. */
  private static final class ManualExecutor implements Executor {
    final Deque<Runnable> tasks = new ArrayDeque<>();
    boolean running;

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    boolean runOne() {
      Runnable task = tasks.poll();
      if (task == null) {
        return false;
      }
      running = true;
      try {
        task.run();
      } finally {
        running = false;
      }
      return true;
    }
  }

  @Test
  void seededInterleavings_deliverOnTheExecutor_inStrictlyIncreasingVersion_endingWithTheNewest() {
    for (long seed = 0; seed < 2_000; seed++) {
      Random random = new Random(seed);
      ManualExecutor executor = new ManualExecutor();
      CaChangeDispatcher dispatcher = new CaChangeDispatcher("oneca/ca", executor);
      List<Long> delivered = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      long[] maxOffered = {0};
      int listeners = 1 + random.nextInt(3);
      for (int i = 0; i < listeners; i++) {
        int index = i;
        dispatcher.register(ca -> {
          if (!executor.running) {
            violations.add("listener ran outside the executor for version " + ca.storeVersion());
          }
          if (index == 0) {
            delivered.add(ca.storeVersion());
            // A listener may cause a further adoption (a rotation step adopting what it wrote).
            if (random.nextInt(8) == 0) {
              long next = ca.storeVersion() + 1 + random.nextInt(3);
              maxOffered[0] = Math.max(maxOffered[0], next);
              dispatcher.offer(view(next));
            }
          }
        });
      }
      int steps = 5 + random.nextInt(60);
      for (int step = 0; step < steps; step++) {
        if (random.nextInt(3) == 0) {
          executor.runOne();
        } else {
          long version = 1 + random.nextInt(40);
          maxOffered[0] = Math.max(maxOffered[0], version);
          dispatcher.offer(view(version));
        }
        assertThat(executor.tasks.size()).as("seed %d: queued drains", seed).isLessThanOrEqualTo(1);
      }
      while (executor.runOne()) {
        assertThat(executor.tasks.size()).as("seed %d: queued drains", seed).isLessThanOrEqualTo(1);
      }
      assertThat(violations).as("seed %d", seed).isEmpty();
      assertThat(delivered).as("seed %d: delivered versions", seed).isSortedAccordingTo(Long::compare)
          .doesNotHaveDuplicates();
      if (maxOffered[0] > 0) {
        assertThat(delivered).as("seed %d: the newest offered version is delivered", seed).endsWith(maxOffered[0]);
        assertThat(dispatcher.lastDelivered()).isEqualTo(maxOffered[0]);
      }
    }
  }

  @Test
  void concurrentOffersFromManyThreads_onAPoolOfTwo_neverOverlap_neverGoBack() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> new Thread(runnable, "oneca-pool"));
    ExecutorService offerers = Executors.newFixedThreadPool(4, runnable -> new Thread(runnable, "store-io"));
    try {
      CaChangeDispatcher dispatcher = new CaChangeDispatcher("oneca/ca", pool);
      List<Long> delivered = new CopyOnWriteArrayList<>();
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      List<String> threads = new CopyOnWriteArrayList<>();
      dispatcher.register(ca -> {
        if (inFlight.incrementAndGet() > 1) {
          overlaps.incrementAndGet();
        }
        delivered.add(ca.storeVersion());
        threads.add(Thread.currentThread().getName());
        Thread.yield();
        inFlight.decrementAndGet();
      });
      AtomicLong maxOffered = new AtomicLong();
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        futures.add(offerers.submit(() -> {
          Random random = new Random(seed);
          start.await();
          for (int i = 0; i < 5_000; i++) {
            long version = 1 + random.nextInt(20_000);
            maxOffered.accumulateAndGet(version, Math::max);
            dispatcher.offer(view(version));
          }
          return null;
        }));
      }
      start.countDown();
      for (var future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
      Await.until("the newest offered version was delivered", Duration.ofSeconds(20),
          () -> dispatcher.lastDelivered() == maxOffered.get() && inFlight.get() == 0);
      assertThat(overlaps.get()).isZero();
      assertThat(threads).containsOnly("oneca-pool");
      assertThat(delivered).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates().endsWith(maxOffered.get());
    } finally {
      offerers.shutdownNow();
      pool.shutdownNow();
    }
  }

  @Test
  void closedDispatcher_deliversNothingMore_andARefusingExecutorLosesNoLaterOffer() {
    ManualExecutor executor = new ManualExecutor();
    CaChangeDispatcher dispatcher = new CaChangeDispatcher("oneca/ca", executor);
    List<Long> delivered = new ArrayList<>();
    dispatcher.register(ca -> delivered.add(ca.storeVersion()));
    dispatcher.offer(view(3));
    dispatcher.close();
    dispatcher.offer(view(4));
    while (executor.runOne()) {
      // drain
    }
    assertThat(delivered).isEmpty();

    AtomicInteger refusals = new AtomicInteger(1);
    ManualExecutor inner = new ManualExecutor();
    CaChangeDispatcher flaky = new CaChangeDispatcher("oneca/ca", task -> {
      if (refusals.getAndDecrement() > 0) {
        throw new java.util.concurrent.RejectedExecutionException("full");
      }
      inner.execute(task);
    });
    List<Long> flakyDelivered = new ArrayList<>();
    flaky.register(ca -> flakyDelivered.add(ca.storeVersion()));
    flaky.offer(view(5));
    flaky.offer(view(6));
    while (inner.runOne()) {
      // drain
    }
    assertThat(flakyDelivered).containsExactly(6L);
  }
}
