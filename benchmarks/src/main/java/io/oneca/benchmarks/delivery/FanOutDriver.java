package io.oneca.benchmarks.delivery;

import io.oneca.benchmarks.Stats;
import io.oneca.core.delivery.DeliveryHub;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One update delivered to many subscribers in one JVM: N consumers subscribe to the shared trust
 * bundle of a {@link DeliveryHub}; each round publishes one new bundle version and measures, per
 * subscriber, the time from the start of {@code publish} until its callback ran (p50/p99 over every
 * delivery of every measured round), and the time until the last subscriber had it. Heap is the
 * used heap after GC with the N subscriptions and the delivered bundle, minus the used heap after
 * GC before subscribing (the driver's own sample arrays are allocated before the first reading).
 *
 * <p>Usage: {@code FanOutDriver [--subscribers N] [--rounds R] [--warmup W] [--threads T]
 * [--payload-bytes B]}. Defaults: 10,000 subscribers, 20 measured rounds after 5 warm-up rounds,
 * as many callback threads as processors, an 8 KiB bundle.
 */
public final class FanOutDriver {

  /**
   * The measurement.
   *
   * @param subscribers how many subscriptions received each update
   * @param deliveryMillis publish-to-callback latency of every delivery in the measured rounds
   * @param roundMillis publish-to-last-callback time of each measured round
   * @param heapBytes heap used by the subscriptions and the bundle, after GC
   */
  public record Result(int subscribers, Stats deliveryMillis, Stats roundMillis, long heapBytes) {
    /** Formats the result for the console and BENCHMARKS.md. */
    public String format() {
      return String.format("subscribers=%d%n  delivery latency: %s%n  round (last subscriber): %s%n"
              + "  heap for subscriptions: %.1f MiB (%.0f bytes per subscriber)",
          subscribers, deliveryMillis.format(" ms"), roundMillis.format(" ms"), heapBytes / 1048576.0,
          (double) heapBytes / subscribers);
    }
  }

  private FanOutDriver() {}

  public static void main(String[] args) throws Exception {
    int subscribers = 10_000;
    int rounds = 20;
    int warmup = 5;
    int threads = Runtime.getRuntime().availableProcessors();
    int payloadBytes = 8192;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--payload-bytes" -> payloadBytes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.println(run(subscribers, rounds, warmup, threads, payloadBytes).format());
  }

  /**
   * Runs the measurement.
   *
   * @param subscribers subscriptions to the bundle, positive
   * @param rounds measured rounds, positive
   * @param warmup unmeasured rounds first
   * @param threads callback threads
   * @param payloadBytes size of the published bundle
   * @return the figures
   * @throws InterruptedException if interrupted
   */
  public static Result run(int subscribers, int rounds, int warmup, int threads, int payloadBytes)
      throws InterruptedException {
    if (subscribers <= 0 || rounds <= 0 || warmup < 0 || threads <= 0 || payloadBytes <= 0) {
      throw new IllegalArgumentException("every parameter must be positive (warmup may be 0)");
    }
    ExecutorService callbacks = Executors.newFixedThreadPool(threads);
    try {
      long[] publishStart = new long[1];
      long[][] samples = new long[rounds][subscribers];
      long[] roundNanos = new long[rounds];
      AtomicInteger round = new AtomicInteger(-1);
      CountDownLatch[] done = new CountDownLatch[1];
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = usedHeapAfterGc(memory);

      DeliveryHub<byte[]> hub = DeliveryHub.create(callbacks);
      done[0] = new CountDownLatch(subscribers);
      for (int i = 0; i < subscribers; i++) {
        int index = i;
        hub.subscribe("edge-" + i, "trust-bundle", update -> {
          long elapsed = System.nanoTime() - publishStart[0];
          int r = round.get();
          if (r >= 0) {
            samples[r][index] = elapsed;
          }
          done[0].countDown();
        });
      }
      long version = 1;
      publishStart[0] = System.nanoTime();
      hub.publish("trust-bundle", version, new byte[payloadBytes]);
      await(done[0], "initial delivery");
      long heap = usedHeapAfterGc(memory) - before;

      for (int r = -warmup; r < rounds; r++) {
        round.set(r < 0 ? -1 : r);
        done[0] = new CountDownLatch(subscribers);
        byte[] bundle = new byte[payloadBytes];
        publishStart[0] = System.nanoTime();
        hub.publish("trust-bundle", ++version, bundle);
        await(done[0], "round " + r);
        if (r >= 0) {
          roundNanos[r] = System.nanoTime() - publishStart[0];
        }
      }
      hub.close();

      List<Double> deliveries = new ArrayList<>(rounds * subscribers);
      List<Double> roundMillis = new ArrayList<>(rounds);
      for (int r = 0; r < rounds; r++) {
        for (long nanos : samples[r]) {
          deliveries.add(nanos / 1e6);
        }
        roundMillis.add(roundNanos[r] / 1e6);
      }
      return new Result(subscribers, Stats.of(deliveries), Stats.of(roundMillis), heap);
    } finally {
      callbacks.shutdownNow();
      callbacks.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(what + ": " + latch.getCount() + " subscribers missing after 60 s");
    }
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
