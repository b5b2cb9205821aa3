package io.oneca.benchmarks.zk;

import io.oneca.api.store.VersionedStore;
import io.oneca.backend.zk.ZooKeeperStore;
import io.oneca.core.OneCa;
import io.oneca.core.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver: N OneCA replicas, each with its own ZooKeeper session, bootstrap a fresh CA key at
 * the same instant, round after round. Convergence time of a round = from the common start until
 * the last replica has adopted the CA the store confirmed. Prints p50/p99 over the rounds and the
 * number of rounds in which replicas disagreed (must be 0).
 *
 * <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' io.oneca.benchmarks.zk.ZkBootstrapConvergence \
 *     [replicas=8] [rounds=200] [connectString, default: an in-process server]
 * </pre>
 */
public final class ZkBootstrapConvergence {
  /** One key-encryption key shared by every replica of a test, as a deployment would share one. */
  static final io.oneca.api.security.KeyEncryptionKey KEK =
      io.oneca.core.security.KeyEncryptionKeys.ofBytes(randomKey());

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return key;
  }

  private ZkBootstrapConvergence() {}

  /**
   * The outcome of a run.
   *
   * @param replicas replicas per round
   * @param convergence convergence time over the rounds
   * @param disagreements rounds in which not every replica adopted the same CA
   */
  public record Result(int replicas, Percentiles convergence, int disagreements) {}

  /**
   * Runs the benchmark from the command line.
   *
   * @param args replicas, rounds, optional connect string
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int replicas = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    try (ZkServer server = ZkServer.start(args.length > 2 ? args[2] : null)) {
      Result result = run(server.connectString(), replicas, rounds);
      System.out.printf("zk bootstrap convergence, %d replicas, %d rounds: %s, disagreeing rounds: %d%n",
          replicas, rounds, result.convergence(), result.disagreements());
    }
  }

  /**
   * Runs the rounds against an ensemble.
   *
   * @param connectString the ensemble
   * @param replicas replicas per round, each with its own client
   * @param rounds how many rounds
   * @return the result
   * @throws Exception on failure
   */
  public static Result run(String connectString, int replicas, int rounds) throws Exception {
    String runPrefix = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/round-";
    List<VersionedStore> stores = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(replicas);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < replicas; i++) {
        stores.add(ZooKeeperStore.builder().connectString(connectString).allowOpenAcl(true).namespace("oneca-bench")
            .sessionTimeout(Duration.ofSeconds(15)).build());
      }
      for (VersionedStore store : stores) {
        store.get("bench/warm-up").get(30, TimeUnit.SECONDS);
      }
      long[] convergence = new long[rounds];
      int disagreements = 0;
      RetryPolicy retry = new RetryPolicy(40, Duration.ofMillis(50), Duration.ofSeconds(2), 0.2);
      for (int round = 0; round < rounds; round++) {
        String caKey = runPrefix + round;
        AtomicLong start = new AtomicLong();
        CyclicBarrier barrier = new CyclicBarrier(replicas, () -> start.set(System.nanoTime()));
        List<Future<String>> fingerprints = new ArrayList<>();
        AtomicLong lastAdopted = new AtomicLong();
        for (int i = 0; i < replicas; i++) {
          VersionedStore store = stores.get(i);
          String id = "bench-" + i;
          fingerprints.add(threads.submit(() -> {
            try (OneCa oneCa = OneCa.builder().keyEncryptionKey(KEK).store(store).caKey(caKey).replicaId(id).scheduler(scheduler)
                .bootstrapRetry(retry).build()) {
              barrier.await(60, TimeUnit.SECONDS);
              String fingerprint = oneCa.start().ca().fingerprint().sha256Hex();
              lastAdopted.accumulateAndGet(System.nanoTime(), Math::max);
              return fingerprint;
            }
          }));
        }
        Set<String> distinct = new HashSet<>();
        for (Future<String> f : fingerprints) {
          distinct.add(f.get(120, TimeUnit.SECONDS));
        }
        if (distinct.size() != 1) {
          disagreements++;
        }
        convergence[round] = lastAdopted.get() - start.get();
      }
      return new Result(replicas, Percentiles.ofNanos(convergence), disagreements);
    } finally {
      threads.shutdownNow();
      scheduler.shutdownNow();
      for (VersionedStore store : stores) {
        store.close();
      }
    }
  }
}
