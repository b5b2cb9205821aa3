package io.oneca.benchmarks.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Load driver for the Kubernetes backend (works with any store URI): N clients increment one
 * counter key by compare-and-set while one subscriber measures how long a write takes to reach it.
 * Prints CAS latency (successful increments), conflict rate, get latency and put-to-listener lag.
 *
 * <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.oneca.benchmarks.k8s.KubernetesStoreLoad \
 *     'k8s://oneca-bench?namePrefix=bench-' 8 500
 * </pre>
 */
public final class KubernetesStoreLoad {

  /** What one run measured; latencies in microseconds. */
  public record Report(int clients, int increments, long conflicts, long[] casMicros, long[] getMicros,
      long[] watchLagMicros, Duration elapsed) {
    /** A percentile of sorted values, or -1 if there are none. */
    public static long percentile(long[] sorted, double p) {
      return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    @Override
    public String toString() {
      return String.format(
          "clients=%d increments=%d conflicts=%d (%.1f per increment) elapsed=%d ms%n"
              + "  cas applied  p50=%d us p99=%d us%n  get          p50=%d us p99=%d us%n"
              + "  watch lag    p50=%d us p99=%d us (%d deliveries)",
          clients, increments, conflicts, increments == 0 ? 0.0 : (double) conflicts / increments, elapsed.toMillis(),
          percentile(casMicros, 0.5), percentile(casMicros, 0.99), percentile(getMicros, 0.5),
          percentile(getMicros, 0.99), percentile(watchLagMicros, 0.5), percentile(watchLagMicros, 0.99),
          watchLagMicros.length);
    }
  }

  private KubernetesStoreLoad() {}

  /**
   * Runs the load.
   *
   * @param clients one store client per writer, plus one more (the last) for the subscriber
   * @param incrementsPerClient successful increments each writer makes
   * @param bound how long the run may take
   */
  public static Report run(List<VersionedStore> clients, int incrementsPerClient, Duration bound) throws Exception {
    if (clients.size() < 2) {
      throw new IllegalArgumentException("need at least one writer and one subscriber client");
    }
    List<VersionedStore> writers = clients.subList(0, clients.size() - 1);
    VersionedStore watcher = clients.get(clients.size() - 1);
    String key = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/counter";
    Map<Long, Long> writtenAt = new ConcurrentHashMap<>();
    List<Long> lags = java.util.Collections.synchronizedList(new ArrayList<>());
    CasResult created = writers.get(0)
        .compareAndSet(key, Precondition.absent(), "0".getBytes(UTF_8)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
    if (!(created instanceof CasResult.Applied)) {
      throw new IllegalStateException("could not create the counter key " + key + ": " + created);
    }
    ExecutorService listenerExecutor = Executors.newSingleThreadExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(writers.size());
    long began = System.nanoTime();
    Subscription subscription =
        watcher.subscribe(KeyScope.key(key), (k, state) -> record(state, writtenAt, lags), listenerExecutor);
    try {
      CountDownLatch ready = new CountDownLatch(writers.size());
      List<Future<long[][]>> results = new ArrayList<>();
      for (VersionedStore writer : writers) {
        results.add(pool.submit(() -> {
          ready.countDown();
          ready.await();
          return increments(writer, key, incrementsPerClient, writtenAt, bound);
        }));
      }
      List<Long> cas = new ArrayList<>();
      List<Long> gets = new ArrayList<>();
      long conflicts = 0;
      for (Future<long[][]> result : results) {
        long[][] r = result.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        for (long v : r[0]) {
          cas.add(v);
        }
        for (long v : r[1]) {
          gets.add(v);
        }
        conflicts += r[2][0];
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - began);
      long[] lagArray;
      synchronized (lags) {
        lagArray = lags.stream().mapToLong(Long::longValue).sorted().toArray();
      }
      return new Report(writers.size(), writers.size() * incrementsPerClient, conflicts, sorted(cas), sorted(gets),
          lagArray, elapsed);
    } finally {
      subscription.close();
      pool.shutdownNow();
      listenerExecutor.shutdownNow();
    }
  }

  private static long[][] increments(VersionedStore writer, String key, int count, Map<Long, Long> writtenAt,
      Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    long[] cas = new long[count];
    List<Long> gets = new ArrayList<>();
    long conflicts = 0;
    long t0 = System.nanoTime();
    Versioned<byte[]> seen = writer.get(key).get(bound.toMillis(), TimeUnit.MILLISECONDS).orElseThrow();
    gets.add((System.nanoTime() - t0) / 1000);
    for (int done = 0; done < count; ) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("increments did not finish within " + bound);
      }
      long next = Long.parseLong(new String(seen.value(), UTF_8)) + 1;
      long t = System.nanoTime();
      CasResult result = writer.compareAndSet(key, Precondition.atVersion(seen.version()),
          Long.toString(next).getBytes(UTF_8)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
      long now = System.nanoTime();
      if (result instanceof CasResult.Applied applied) {
        writtenAt.put(applied.value().version(), now);
        cas[done++] = (now - t) / 1000;
        seen = applied.value();
      } else {
        conflicts++;
        Optional<Versioned<byte[]>> current = ((CasResult.Conflict) result).current();
        seen = current.orElseThrow(() -> new IllegalStateException("counter key vanished"));
      }
    }
    return new long[][] {cas, gets.stream().mapToLong(Long::longValue).toArray(), {conflicts}};
  }

  private static void record(Optional<Versioned<byte[]>> state, Map<Long, Long> writtenAt, List<Long> lags) {
    long now = System.nanoTime();
    state.ifPresent(v -> {
      Long at = writtenAt.get(v.version());
      if (at != null && now >= at) {
        lags.add((now - at) / 1000);
      }
    });
  }

  private static long[] sorted(List<Long> values) {
    long[] array = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(array);
    return array;
  }

  /**
   * Runs against a store URI: {@code <uri> [writers=4] [incrementsPerWriter=200]}.
   *
   * @param args the arguments
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: KubernetesStoreLoad <store uri> [writers=4] [incrementsPerWriter=200]");
      System.exit(2);
    }
    int writers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int increments = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    List<VersionedStore> clients = new ArrayList<>();
    try {
      for (int i = 0; i <= writers; i++) {
        clients.add(Stores.open(args[0]));
      }
      System.out.println(run(clients, increments, Duration.ofMinutes(10)));
    } finally {
      for (VersionedStore client : clients) {
        client.close();
      }
    }
  }
}
