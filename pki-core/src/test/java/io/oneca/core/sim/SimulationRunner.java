package io.oneca.core.sim;

import io.oneca.core.sim.SimConfig.Invariant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs many seeds of {@link Simulation}, each on one thread (seeds are independent), within a
 * count and a wall-clock budget, and says how to replay a failing one.
 */
final class SimulationRunner {
  /** Request keys for issuance steps: generated once per JVM (key generation is the expensive part). */
  private static final List<KeyPair> REQUEST_KEYS = requestKeys(8);

  private static final java.util.Optional<java.security.Provider> KEY_PROVIDER = keyProviderFromProperty();

  private final List<SimConfig> configs;
  private final int steps;
  private final Path workRoot;

  SimulationRunner(List<SimConfig> configs, int steps) {
    this.configs = List.copyOf(configs);
    this.steps = steps;
    this.workRoot = workRoot();
  }

  /** What a run of many seeds found. */
  record Summary(int seedsRun, long tasks, Duration wallTime, Duration cpuTime, List<Simulation.Result> failures) {
    double seedsPerSecond() {
      return seedsRun / Math.max(0.001, wallTime.toNanos() / 1e9);
    }

    /** Seeds per second of this JVM's CPU time (all threads, JIT and GC included): less dependent on load. */
    double seedsPerCpuSecond() {
      return seedsRun / Math.max(0.001, cpuTime.toNanos() / 1e9);
    }
  }

  /** Runs one seed with the configuration that seed number gets. */
  Simulation.Result runSeed(long seed) {
    return runSeed(seed, configFor(seed), steps);
  }

  Simulation.Result runSeed(long seed, SimConfig config, int stepCount) {
    AtomicInteger next = new AtomicInteger((int) (seed & 0xff));
    Supplier<KeyPair> keys = () -> REQUEST_KEYS.get(Math.floorMod(next.getAndIncrement(), REQUEST_KEYS.size()));
    Path directory = workRoot.resolve("seed-" + seed + "-" + Thread.currentThread().getId());
    return new Simulation(seed, config, stepCount, directory, keys).run();
  }

  SimConfig configFor(long seed) {
    return configs.get((int) Math.floorMod(seed, (long) configs.size()));
  }

  /**
   * Runs seeds {@code firstSeed, firstSeed + 1, ...} on {@code threads} threads until
   * {@code seeds} ran or {@code budget} passed (no new seed starts after it).
   */
  Summary run(long firstSeed, int seeds, int threads, Duration budget) throws Exception {
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    AtomicLong nextSeed = new AtomicLong(firstSeed);
    AtomicInteger ran = new AtomicInteger();
    AtomicLong tasks = new AtomicLong();
    Duration cpuAtStart = processCpu();
    List<Simulation.Result> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "sim-seeds");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          runSeeds(firstSeed, seeds, deadline, nextSeed, ran, tasks, failures);
        }));
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
    } finally {
      pool.shutdownNow();
    }
    try {
      Files.deleteIfExists(workRoot);
    } catch (java.io.IOException e) {
      // Another run of this JVM still uses it, or a seed left files: harmless, it is a temporary directory.
    }
    List<Simulation.Result> sorted = new ArrayList<>(failures);
    sorted.sort((a, b) -> Long.compare(a.seed(), b.seed()));
    return new Summary(ran.get(), tasks.get(), Duration.ofNanos(System.nanoTime() - started),
        processCpu().minus(cpuAtStart), sorted);
  }

  private void runSeeds(long firstSeed, int seeds, long deadline, AtomicLong nextSeed, AtomicInteger ran,
      AtomicLong tasks, List<Simulation.Result> failures) {
          while (System.nanoTime() < deadline) {
            long seed = nextSeed.getAndIncrement();
            if (seed >= firstSeed + seeds) {
              return;
            }
            Simulation.Result result = runSeed(seed);
            ran.incrementAndGet();
            tasks.addAndGet(result.tasks());
            if (result.failed()) {
              failures.add(result);
            }
          }
  }

  /**
   * The smallest number of steps after which the seed still breaks {@code invariant} (the seed's
   * first steps do not depend on how many follow, so a shorter run is a prefix of the longer one).
   */
  Simulation.Result shortest(Simulation.Result failure, Invariant invariant) {
    for (int count = 0; count < failure.steps(); count++) {
      Simulation.Result shorter = runSeed(failure.seed(), failure.config(), count);
      if (shorter.violations().containsKey(invariant)) {
        return shorter;
      }
    }
    return failure;
  }

  /** A one-line command that replays the seed exactly. */
  static String replayCommand(Simulation.Result result) {
    return "mvn -B -o -pl pki-core -am test-compile surefire:test@simulation -Dtest=DeterministicSimulationTest "
        + "-Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + result.seed() + " -Dsim.steps=" + result.steps()
        + " " + result.config().asProperties();
  }

  static String describe(Simulation.Result result, int traceLines) {
    StringBuilder text = new StringBuilder();
    text.append("seed ").append(result.seed()).append(" (").append(result.config().name()).append(", ")
        .append(result.steps()).append(" steps)").append(System.lineSeparator());
    result.violations().forEach((invariant, detail) -> text.append("  ").append(invariant).append(": ").append(detail)
        .append(System.lineSeparator()));
    if (result.harnessFailure() != null) {
      text.append("  harness failure: ").append(result.harnessFailure()).append(System.lineSeparator());
    }
    text.append("  replay: ").append(replayCommand(result)).append(System.lineSeparator());
    List<String> trace = result.trace();
    int from = Math.max(0, trace.size() - traceLines);
    if (from > 0) {
      text.append("  ... ").append(from).append(" earlier trace lines").append(System.lineSeparator());
    }
    for (String line : trace.subList(from, trace.size())) {
      text.append("  | ").append(line).append(System.lineSeparator());
    }
    return text.toString();
  }

  private static Duration processCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static Path workRoot() {
    Path shm = Path.of("/dev/shm");
    Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    return base.resolve("oneca-sim-" + ProcessHandle.current().pid());
  }

  /**
   * The JCA provider replicas use for keys and signatures: {@code -Dsim.provider=corretto} (the
   * default when Amazon Corretto Crypto Provider is healthy: native key generation is many times
   * faster than BouncyCastle's) or {@code default} (OneCA's default, BouncyCastle keys).
   */
  static java.util.Optional<java.security.Provider> keyProvider() {
    return KEY_PROVIDER;
  }

  private static java.util.Optional<java.security.Provider> keyProviderFromProperty() {
    String choice = System.getProperty("sim.provider", "corretto");
    if (!choice.equals("corretto")) {
      return java.util.Optional.empty();
    }
    try {
      Class<?> type = Class.forName("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider");
      java.security.Provider provider = (java.security.Provider) type.getField("INSTANCE").get(null);
      Object error = type.getMethod("getLoadingError").invoke(provider);
      return error == null ? java.util.Optional.of(provider) : java.util.Optional.empty();
    } catch (ReflectiveOperationException | LinkageError e) {
      return java.util.Optional.empty();
    }
  }

  private static List<KeyPair> requestKeys(int count) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      List<KeyPair> keys = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        keys.add(generator.generateKeyPair());
      }
      return List.copyOf(keys);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
