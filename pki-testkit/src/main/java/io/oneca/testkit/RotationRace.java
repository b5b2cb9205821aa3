package io.oneca.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Makes N replicas that share one CA record rotate it at the same instant, M times, against any
 * store: each round every replica asks to rotate away from the same CA, released together by a
 * barrier. A store whose compare-and-set works lets exactly one of them win each round; the others
 * must find the rotation done. The harness also checks that the stored version only increases and
 * that every replica ends each round on the CA the store holds.
 *
 * <pre>{@code
 * RotationReport report = RotationRace.builder().replicas(8).rounds(20)
 *     .replica(i -> adapt(oneCas.get(i)))
 *     .stored(() -> readActiveFingerprintAndVersion())
 *     .run();
 * report.assertExactlyOneWinnerPerRound();
 * }</pre>
 */
public final class RotationRace {

  /** One replica as the harness sees it. */
  public interface Replica {
    /** The fingerprint of the CA this replica signs with now, and the store version it adopted it at. */
    Stored current();

    /**
     * Asks the replica to rotate away from {@code fromFingerprint} and waits for the outcome.
     *
     * @return true if this replica's write made the rotation, false if it found it done
     * @throws Exception any failure; fails the race
     */
    boolean rotateAwayFrom(String fromFingerprint) throws Exception;

    /** A replica from two functions: what it holds now, and how it rotates. */
    static Replica of(java.util.function.Supplier<Stored> current, Rotation rotation) {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(rotation, "rotation");
      return new Replica() {
        @Override
        public Stored current() {
          return current.get();
        }

        @Override
        public boolean rotateAwayFrom(String fromFingerprint) throws Exception {
          return rotation.rotateAwayFrom(fromFingerprint);
        }
      };
    }
  }

  /** Rotates away from a CA; true if this call's write made the rotation. */
  @FunctionalInterface
  public interface Rotation {
    /** Rotates; see {@link Replica#rotateAwayFrom}. */
    boolean rotateAwayFrom(String fromFingerprint) throws Exception;
  }

  /** Reads the active CA the store holds. */
  @FunctionalInterface
  public interface StoredReader {
    /** Reads with a linearizable read. */
    Stored read() throws Exception;
  }

  /**
   * An active CA at a store version.
   *
   * @param fingerprint the active CA's fingerprint
   * @param version the store version of the record
   */
  public record Stored(String fingerprint, long version) {}

  /**
   * One round's outcome.
   *
   * @param round the round number, from 0
   * @param winners how many replicas reported that their write made the rotation
   * @param before the stored state before the round
   * @param after the stored state after it
   */
  public record Round(int round, int winners, Stored before, Stored after) {}

  /** All rounds, with assertions. */
  public record RotationReport(List<Round> rounds) {
    /** Copies the list. */
    public RotationReport {
      rounds = List.copyOf(rounds);
    }

    /**
     * Fails unless each round had exactly one winner, changed the active CA, and raised the version.
     *
     * @throws AssertionError naming the first bad round
     */
    public void assertExactlyOneWinnerPerRound() {
      for (Round round : rounds) {
        if (round.winners() != 1) {
          throw new AssertionError("round " + round.round() + " had " + round.winners() + " winners: " + round);
        }
        if (round.after().fingerprint().equals(round.before().fingerprint())) {
          throw new AssertionError("round " + round.round() + " did not change the active CA: " + round);
        }
        if (round.after().version() <= round.before().version()) {
          throw new AssertionError("round " + round.round() + " did not raise the store version: " + round);
        }
      }
    }
  }

  private final int replicas;
  private final int rounds;
  private final IntFunction<Replica> factory;
  private final StoredReader stored;
  private final Duration timeout;

  private RotationRace(Builder builder) {
    this.replicas = builder.replicas;
    this.rounds = builder.rounds;
    this.factory = Objects.requireNonNull(builder.factory, "replica");
    this.stored = Objects.requireNonNull(builder.stored, "stored");
    this.timeout = builder.timeout;
  }

  /** Returns a builder: 8 replicas, 20 rounds, 30 s per step by default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the rounds.
   *
   * @return the report; call {@link RotationReport#assertExactlyOneWinnerPerRound()}
   * @throws Exception if a replica or the reader fails, or replicas do not converge within the timeout
   */
  public RotationReport run() throws Exception {
    List<Replica> all = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      all.add(factory.apply(i));
    }
    ExecutorService threads = Executors.newFixedThreadPool(replicas);
    try {
      List<Round> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Stored before = converge(all);
        CyclicBarrier start = new CyclicBarrier(replicas);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (Replica replica : all) {
          outcomes.add(threads.submit(() -> {
            start.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return replica.rotateAwayFrom(before.fingerprint());
          }));
        }
        int winners = 0;
        for (Future<Boolean> outcome : outcomes) {
          winners += outcome.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS) ? 1 : 0;
        }
        results.add(new Round(round, winners, before, converge(all)));
      }
      return new RotationReport(results);
    } finally {
      threads.shutdownNow();
    }
  }

  /** Waits until every replica is on what the store holds; returns it. */
  private Stored converge(List<Replica> all) throws Exception {
    Stored now = stored.read();
    Await.until("every replica on the stored CA " + now, timeout,
        () -> all.stream().allMatch(replica -> replica.current().version() >= now.version()));
    Stored after = stored.read();
    for (Replica replica : all) {
      Stored current = replica.current();
      if (current.version() == after.version() && !current.fingerprint().equals(after.fingerprint())) {
        throw new AssertionError("a replica holds " + current + " but the store holds " + after);
      }
    }
    return after;
  }

  /** Configures a {@link RotationRace}. */
  public static final class Builder {
    private int replicas = 8;
    private int rounds = 20;
    private IntFunction<Replica> factory;
    private StoredReader stored;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** How many replicas race; at least 2. Default 8. */
    public Builder replicas(int replicas) {
      if (replicas < 2) {
        throw new IllegalArgumentException("a race needs at least 2 replicas, was " + replicas);
      }
      this.replicas = replicas;
      return this;
    }

    /** How many rounds; at least 1. Default 20. */
    public Builder rounds(int rounds) {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1, was " + rounds);
      }
      this.rounds = rounds;
      return this;
    }

    /** Creates replica {@code i}; all must share one CA record. */
    public Builder replica(IntFunction<Replica> factory) {
      this.factory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Reads what the store holds. */
    public Builder stored(StoredReader stored) {
      this.stored = Objects.requireNonNull(stored, "stored");
      return this;
    }

    /** The longest a step or a convergence may take. Default 30 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Builds the race. */
    public RotationRace build() {
      return new RotationRace(this);
    }

    /** Builds and runs the race. */
    public RotationReport run() throws Exception {
      return build().run();
    }
  }
}
