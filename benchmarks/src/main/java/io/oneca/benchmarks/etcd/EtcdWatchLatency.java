package io.oneca.benchmarks.etcd;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.backend.etcd.EtcdStore;
import io.oneca.testkit.etcd.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Load driver: put-to-subscriber latency. One client writes a key (compare-and-set from the last
 * version), another is subscribed to it; each sample is the time from just before the write is
 * sent until the subscriber's listener runs with that version. Writes are sequential, so a sample
 * is one write plus one watch delivery. Goal from the issue: p99 under 20 ms on loopback.
 *
 * <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.oneca.benchmarks.etcd.EtcdWatchLatency \
 *     --puts 2000 [--warmup 200] [--endpoints 127.0.0.1:2379]
 * </pre>
 */
public final class EtcdWatchLatency {
  private EtcdWatchLatency() {}

  /**
   * Runs the driver.
   *
   * @param args {@code --puts N [--warmup W] [--endpoints h:p,...]}
   * @throws Exception if a write or a delivery fails
   */
  public static void main(String[] args) throws Exception {
    BenchArgs parsed = new BenchArgs(args, List.of("puts", "warmup", "endpoints"));
    int puts = parsed.intValue("puts", 2000);
    int warmup = parsed.intValue("warmup", 200);
    Latencies result;
    if (parsed.endpoints().isEmpty()) {
      try (EtcdCluster etcd = EtcdCluster.start(1)) {
        result = run(etcd.clientEndpoints(), puts, warmup);
      }
    } else {
      result = run(parsed.endpoints(), puts, warmup);
    }
    System.out.println("etcd put-to-subscriber latency: " + result);
  }

  /**
   * Measures.
   *
   * @param endpoints etcd client endpoints
   * @param puts measured writes
   * @param warmup unmeasured writes first
   * @return the latencies
   * @throws Exception if a write or a delivery fails
   */
  public static Latencies run(List<String> endpoints, int puts, int warmup) throws Exception {
    String key = "bench/watch/" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    LinkedBlockingQueue<long[]> deliveries = new LinkedBlockingQueue<>();
    try (EtcdStore writer = EtcdStore.builder().endpoints(endpoints).build();
        EtcdStore subscriber = EtcdStore.builder().endpoints(endpoints).build()) {
      Versioned<byte[]> current = ((CasResult.Applied) writer.compareAndSet(
          key, Precondition.absent(), bytes(0)).get(10, TimeUnit.SECONDS)).value();
      Subscription subscription = subscriber.subscribe(KeyScope.key(key), (k, state) -> deliveries.add(
          new long[] {System.nanoTime(), state.map(Versioned::version).orElse(0L)}), listenerThread);
      try {
        awaitVersion(deliveries, current.version());
        List<Long> samples = new ArrayList<>();
        for (int i = 1; i <= warmup + puts; i++) {
          long sent = System.nanoTime();
          CasResult result = writer.compareAndSet(key, Precondition.atVersion(current.version()), bytes(i))
              .get(10, TimeUnit.SECONDS);
          if (!(result instanceof CasResult.Applied applied)) {
            throw new IllegalStateException("write " + i + " to " + key + " conflicted: " + result);
          }
          current = applied.value();
          long received = awaitVersion(deliveries, current.version());
          if (i > warmup) {
            samples.add(received - sent);
          }
        }
        return Latencies.of(samples);
      } finally {
        subscription.close();
      }
    } finally {
      listenerThread.shutdownNow();
    }
  }

  private static long awaitVersion(LinkedBlockingQueue<long[]> deliveries, long version) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long[] delivery = deliveries.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (delivery == null) {
        throw new IllegalStateException("version " + version + " was not delivered within 10 s");
      }
      if (delivery[1] >= version) {
        return delivery[0];
      }
    }
  }

  private static byte[] bytes(int i) {
    return ("value-" + i).getBytes(StandardCharsets.UTF_8);
  }
}
