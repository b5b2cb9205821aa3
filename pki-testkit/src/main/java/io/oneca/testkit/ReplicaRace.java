package io.oneca.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Starts N replicas at the same instant, M times, and checks that every time they all end up on
 * the CA the store holds: the test for the split-brain bug (KubeEdge CloudCore) against any store.
 *
 * <p>Each round uses a fresh CA key under {@link Builder#keyPrefix(String)}; each replica runs on
 * its own thread with its own {@link Replica} (give each its own store client), released together
 * by a barrier. After the round the harness reads what the store holds with
 * {@link Builder#storedFingerprint(StoredFingerprint)} and compares. The harness knows nothing of
 * how a replica bootstraps, so it also proves itself: a naive check-then-create replica fails it.
 *
 * <pre>{@code
 * RaceReport report = ReplicaRace.builder()
 *     .replicas(16).rounds(500)
 *     .replica(i -> key -> bootstrapAndReturnFingerprint(clients[i], key))
 *     .storedFingerprint(key -> readFingerprint(reader, key))
 *     .run();
 * report.assertConverged();
 * }</pre>
 */
public final class ReplicaRace {

  /** One replica: bootstraps the CA at a key and returns the fingerprint of the CA it now uses. */
  @FunctionalInterface
  public interface Replica {
    /**
     * Bootstraps.
     *
     * @param caKey the store key of this round's CA record
     * @return the fingerprint of the CA this replica uses afterwards
     * @throws Exception any failure; recorded against the round
     */
    String bootstrap(String caKey) throws Exception;
  }

  /** Reads the fingerprint of the CA the store holds at a key. */
  @FunctionalInterface
  public interface StoredFingerprint {
    /**
     * Reads.
     *
     * @param caKey the store key
     * @return the stored CA's fingerprint, or empty if the key holds nothing
     * @throws Exception any failure; recorded against the round
     */
    Optional<String> read(String caKey) throws Exception;
  }

  /**
   * What happened in one round.
   *
   * @param round the round number, from 0
   * @param caKey the key raced for
   * @param fingerprints each replica's fingerprint, indexed by replica (null where it failed)
   * @param stored the stored fingerprint
   * @param failures one line per replica or read that failed
   */
  public record RoundResult(
      int round, String caKey, List<String> fingerprints, Optional<String> stored, List<String> failures) {

    /** Copies the lists. */
    public RoundResult {
      fingerprints = Collections.unmodifiableList(new ArrayList<>(fingerprints));
      failures = List.copyOf(failures);
    }

    /** Returns whether some replica uses a CA other than the one in the store (or none is stored). */
    public boolean splitBrain() {
      return stored.isEmpty()
          || fingerprints.stream().anyMatch(f -> f != null && !f.equals(stored.get()));
    }

    /** Returns whether every replica bootstrapped and uses exactly the stored CA. */
    public boolean converged() {
      return failures.isEmpty() && !splitBrain() && fingerprints.stream().allMatch(Objects::nonNull);
    }
  }

  /**
   * All rounds of a race.
   *
   * @param replicas the number of replicas
   * @param rounds every round's result, in order
   */
  public record RaceReport(int replicas, List<RoundResult> rounds) {
    /** Copies the list. */
    public RaceReport {
      rounds = List.copyOf(rounds);
    }

    /** Returns the number of rounds in which some replica diverged from the store. */
    public long splitBrainRounds() {
      return rounds.stream().filter(RoundResult::splitBrain).count();
    }

    /** Returns the number of rounds with a failed replica or read. */
    public long failedRounds() {
      return rounds.stream().filter(r -> !r.failures().isEmpty()).count();
    }

    /**
     * Fails unless every replica of every round bootstrapped and uses the stored CA. The message
     * names the first bad rounds.
     */
    public void assertConverged() {
      List<String> bad = new ArrayList<>();
      for (RoundResult round : rounds) {
        if (!round.converged() && bad.size() < 5) {
          bad.add("round " + round.round() + " key " + round.caKey() + ": stored=" + round.stored().orElse("<none>")
              + " replicas=" + distinct(round.fingerprints()) + " failures=" + round.failures());
        }
      }
      if (!bad.isEmpty()) {
        throw new AssertionError(splitBrainRounds() + " split-brain and " + failedRounds() + " failed rounds of "
            + rounds.size() + " with " + replicas + " replicas; first: " + String.join(" | ", bad));
      }
    }

    private static TreeMap<String, Integer> distinct(List<String> fingerprints) {
      TreeMap<String, Integer> counts = new TreeMap<>();
      for (String f : fingerprints) {
        counts.merge(f == null ? "<failed>" : f.substring(0, Math.min(16, f.length())), 1, Integer::sum);
      }
      return counts;
    }
  }

  private final int replicas;
  private final int rounds;
  private final String keyPrefix;
  private final IntFunction<Replica> replicaFactory;
  private final StoredFingerprint storedFingerprint;
  private final Duration roundTimeout;

  private ReplicaRace(Builder b) {
    this.replicas = b.replicas;
    this.rounds = b.rounds;
    this.keyPrefix = b.keyPrefix;
    this.replicaFactory = b.replicaFactory;
    this.storedFingerprint = b.storedFingerprint;
    this.roundTimeout = b.roundTimeout;
  }

  /** Returns a builder. Replicas, rounds, the replica factory and the stored-fingerprint reader are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs every round. A replica that fails or does not finish within the round timeout is recorded
   * as a failure of that round; the race goes on.
   *
   * @return the report
   * @throws InterruptedException if the calling thread is interrupted
   */
  public RaceReport run() throws InterruptedException {
    List<Replica> members = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      members.add(Objects.requireNonNull(replicaFactory.apply(i), "replica factory returned null"));
    }
    ExecutorService threads = Executors.newFixedThreadPool(replicas, runnable -> {
      Thread thread = new Thread(runnable, "replica-race");
      thread.setDaemon(true);
      return thread;
    });
    List<RoundResult> results = new ArrayList<>();
    try {
      for (int round = 0; round < rounds; round++) {
        results.add(runRound(round, members, threads));
      }
    } finally {
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
    return new RaceReport(replicas, results);
  }

  private RoundResult runRound(int round, List<Replica> members, ExecutorService threads) throws InterruptedException {
    String caKey = keyPrefix + "round-" + round;
    CyclicBarrier start = new CyclicBarrier(replicas);
    List<Future<String>> futures = new ArrayList<>();
    for (Replica member : members) {
      futures.add(threads.submit(() -> {
        start.await(roundTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return member.bootstrap(caKey);
      }));
    }
    long deadline = System.nanoTime() + roundTimeout.toNanos();
    List<String> fingerprints = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        fingerprints.add(futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        fingerprints.add(null);
        failures.add("replica " + i + ": " + e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        futures.get(i).cancel(true);
        fingerprints.add(null);
        failures.add("replica " + i + ": no result within " + roundTimeout);
      }
    }
    Optional<String> stored;
    try {
      stored = storedFingerprint.read(caKey);
    } catch (Exception e) {
      stored = Optional.empty();
      failures.add("reading the stored CA: " + e);
    }
    return new RoundResult(round, caKey, fingerprints, stored, failures);
  }

  /** Configures a {@link ReplicaRace}. */
  public static final class Builder {
    private int replicas;
    private int rounds;
    private String keyPrefix = "race/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/";
    private IntFunction<Replica> replicaFactory;
    private StoredFingerprint storedFingerprint;
    private Duration roundTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * Sets the number of replicas that start together. Required.
     *
     * @param replicas 2 to 256
     * @return this builder
     */
    public Builder replicas(int replicas) {
      if (replicas < 2 || replicas > 256) {
        throw new IllegalArgumentException("replicas must be 2 to 256, was " + replicas);
      }
      this.replicas = replicas;
      return this;
    }

    /**
     * Sets the number of rounds. Required.
     *
     * @param rounds 1 to 100,000
     * @return this builder
     */
    public Builder rounds(int rounds) {
      if (rounds < 1 || rounds > 100_000) {
        throw new IllegalArgumentException("rounds must be 1 to 100000, was " + rounds);
      }
      this.rounds = rounds;
      return this;
    }

    /**
     * Sets the prefix of the per-round CA keys. Default: {@code race/<random>/}.
     *
     * @param keyPrefix the prefix, ending with {@code /}
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Sets the factory of replicas, called once per replica index before the first round. Required.
     *
     * @param factory creates replica {@code i}
     * @return this builder
     */
    public Builder replica(IntFunction<Replica> factory) {
      this.replicaFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Sets how the harness reads the stored CA after each round. Required.
     *
     * @param reader the reader
     * @return this builder
     */
    public Builder storedFingerprint(StoredFingerprint reader) {
      this.storedFingerprint = Objects.requireNonNull(reader, "reader");
      return this;
    }

    /**
     * Sets how long one round may take. Default: 60 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder roundTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("roundTimeout must be positive, was " + timeout);
      }
      this.roundTimeout = timeout;
      return this;
    }

    /**
     * Builds the race.
     *
     * @return the race
     * @throws IllegalStateException if a required setting is missing
     */
    public ReplicaRace build() {
      if (replicas == 0 || rounds == 0 || replicaFactory == null || storedFingerprint == null) {
        throw new IllegalStateException("replicas, rounds, replica and storedFingerprint are required");
      }
      return new ReplicaRace(this);
    }

    /**
     * Builds and runs the race.
     *
     * @return the report
     * @throws InterruptedException if interrupted
     */
    public RaceReport run() throws InterruptedException {
      return build().run();
    }
  }
}
