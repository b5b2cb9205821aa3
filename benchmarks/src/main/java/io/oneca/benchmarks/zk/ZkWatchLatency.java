package io.oneca.benchmarks.zk;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.backend.zk.ZooKeeperStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Load driver: one client writes a key (compare-and-set), another client's subscriber receives it.
 * Latency = from just before the write is sent until the subscriber's listener runs with that
 * version; writes are sequential, each after the previous one was delivered. Prints p50/p99.
 *
 * <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.oneca.benchmarks.zk.ZkWatchLatency \
 *     [writes=2000] [connectString, default: an in-process server]
 * </pre>
 */
public final class ZkWatchLatency {
  private ZkWatchLatency() {}

  /**
   * Runs the benchmark from the command line.
   *
   * @param args writes, optional connect string
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    try (ZkServer server = ZkServer.start(args.length > 1 ? args[1] : null)) {
      System.out.printf("zk write-to-subscriber latency, %d writes: %s%n", writes, run(server.connectString(), writes));
    }
  }

  /**
   * Runs the writes against an ensemble.
   *
   * @param connectString the ensemble
   * @param writes how many writes
   * @return the latency percentiles
   * @throws Exception on failure, or if a write is not delivered within 10 s
   */
  public static Percentiles run(String connectString, int writes) throws Exception {
    String key = "bench/latency-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    LinkedBlockingQueue<long[]> delivered = new LinkedBlockingQueue<>();
    ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    try (ZooKeeperStore writer = open(connectString);
        ZooKeeperStore reader = open(connectString);
        Subscription subscription = reader.subscribe(KeyScope.key(key),
            (k, state) -> state.ifPresent(v -> delivered.add(new long[] {v.version(), System.nanoTime()})),
            listenerThread)) {
      Versioned<byte[]> current = ((CasResult.Applied) writer.compareAndSet(key, Precondition.absent(), bytes(0))
          .get(30, TimeUnit.SECONDS)).value();
      awaitVersion(delivered, current.version());
      long[] latencies = new long[writes];
      for (int i = 0; i < writes; i++) {
        long sent = System.nanoTime();
        current = ((CasResult.Applied) writer.compareAndSet(key, Precondition.atVersion(current.version()), bytes(i + 1))
            .get(30, TimeUnit.SECONDS)).value();
        latencies[i] = awaitVersion(delivered, current.version()) - sent;
      }
      if (subscription.isClosed()) {
        throw new IllegalStateException("subscription closed during the run");
      }
      return Percentiles.ofNanos(latencies);
    } finally {
      listenerThread.shutdownNow();
    }
  }

  private static long awaitVersion(LinkedBlockingQueue<long[]> delivered, long version) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long[] next = delivered.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new IllegalStateException("version " + version + " was not delivered within 10 s");
      }
      if (next[0] >= version) {
        return next[1];
      }
    }
  }

  private static ZooKeeperStore open(String connectString) {
    return ZooKeeperStore.builder().connectString(connectString).allowOpenAcl(true).namespace("oneca-bench")
        .sessionTimeout(Duration.ofSeconds(15)).build();
  }

  private static byte[] bytes(int i) {
    return ByteBuffer.allocate(Integer.BYTES).putInt(i).array();
  }
}
