package io.oneca.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.core.sim.SimConfig.Invariant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The deterministic simulation of OneCA replicas (see pki-core/README.md, "Deterministic
 * simulation"). System properties: {@code sim.seeds} (default 10000), {@code sim.budget} (seconds
 * of wall time, default 115, so that the suite stays within two minutes of simulation), {@code sim.steps} (default 30), {@code sim.threads} (default 2),
 * {@code sim.firstSeed}, {@code sim.seed} (replay one seed and print its trace),
 * {@code sim.invariants}/{@code sim.faults} (instead of {@link SimConfig#IN_SUITE}),
 * {@code sim.hunt=true} (everything on; report which seeds break which invariant).
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class DeterministicSimulationTest {
  private static final int STEPS = Integer.getInteger("sim.steps", 30);

  private static List<SimConfig> configs() {
    SimConfig custom = SimConfig.fromSystemProperties();
    return custom != null ? List.of(custom) : SimConfig.IN_SUITE;
  }

  @Test
  void seeds_holdEveryInvariantSwitchedOn() throws Exception {
    SimulationRunner runner = new SimulationRunner(configs(), STEPS);
    String single = System.getProperty("sim.seed");
    if (single != null) {
      Simulation.Result result = runner.runSeed(Long.parseLong(single));
      System.out.println(SimulationRunner.describe(result, Integer.MAX_VALUE));
      assertThat(result.failed()).as(SimulationRunner.describe(result, 60)).isFalse();
      return;
    }
    int seeds = Integer.getInteger("sim.seeds", 10_000);
    Duration budget = Duration.ofSeconds(Long.getLong("sim.budget", 115));
    long first = Long.getLong("sim.firstSeed", 1);
    SimulationRunner.Summary summary = runner.run(first, seeds, Integer.getInteger("sim.threads", 2), budget);
    String report = String.format("simulation: %d of %d seeds (%s, %d steps) in %.1f s = %.1f seeds/s "
        + "(%.1f seeds per CPU second), %d tasks, %d failed", summary.seedsRun(), seeds, configs(), STEPS,
        summary.wallTime().toMillis() / 1000.0, summary.seedsPerSecond(), summary.seedsPerCpuSecond(), summary.tasks(),
        summary.failures().size());
    System.out.println(report);
    StringBuilder failures = new StringBuilder(report).append(System.lineSeparator());
    for (Simulation.Result failure : summary.failures().subList(0, Math.min(3, summary.failures().size()))) {
      failures.append(SimulationRunner.describe(failure, 40));
    }
    assertThat(summary.failures().size()).as(failures.toString()).isZero();
    assertThat(summary.seedsRun()).isPositive();
  }

  @Test
  void sameSeed_replaysTheSameTrace() {
    SimulationRunner runner = new SimulationRunner(List.of(SimConfig.ALL), 40);
    for (long seed = 1; seed <= 3; seed++) {
      Simulation.Result first = runner.runSeed(seed);
      Simulation.Result again = runner.runSeed(seed);
      assertThat(again.trace()).as("trace of seed " + seed).isEqualTo(first.trace());
      assertThat(again.tasks()).isEqualTo(first.tasks());
      assertThat(first.trace().size()).isGreaterThan(10);
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "sim.hunt", matches = "true")
  void hunt_everyInvariantOn_reportsWhichSeedsBreakWhat() throws Exception {
    SimConfig config = SimConfig.fromSystemProperties() != null ? SimConfig.fromSystemProperties() : SimConfig.ALL;
    SimulationRunner runner = new SimulationRunner(List.of(config), STEPS);
    int seeds = Integer.getInteger("sim.seeds", 500);
    SimulationRunner.Summary summary = runner.run(Long.getLong("sim.firstSeed", 1), seeds,
        Integer.getInteger("sim.threads", 2), Duration.ofSeconds(Long.getLong("sim.budget", 300)));
    Map<Invariant, List<Long>> bySeed = new EnumMap<>(Invariant.class);
    for (Simulation.Result failure : summary.failures()) {
      failure.violations().keySet().forEach(inv -> bySeed.computeIfAbsent(inv, k -> new ArrayList<>()).add(failure.seed()));
    }
    StringBuilder report = new StringBuilder(String.format("hunt: %d seeds, %s, %.1f seeds/s%n", summary.seedsRun(),
        config, summary.seedsPerSecond()));
    for (Invariant invariant : Invariant.values()) {
      List<Long> seedsFound = bySeed.getOrDefault(invariant, List.of());
      report.append(String.format("%-18s %5d seeds, first: %s%n", invariant, seedsFound.size(),
          seedsFound.subList(0, Math.min(8, seedsFound.size()))));
    }
    long harness = summary.failures().stream().filter(r -> r.harnessFailure() != null).count();
    report.append("harness failures: ").append(harness).append(System.lineSeparator());
    for (Invariant invariant : Invariant.values()) {
      List<Long> seedsFound = bySeed.getOrDefault(invariant, List.of());
      if (seedsFound.isEmpty()) {
        continue;
      }
      Simulation.Result failure = summary.failures().stream().filter(r -> r.seed() == seedsFound.get(0))
          .findFirst().orElseThrow();
      Simulation.Result shortest = runner.shortest(failure, invariant);
      report.append(System.lineSeparator()).append("== ").append(invariant).append(": shortest prefix ")
          .append(shortest.steps()).append(" steps").append(System.lineSeparator())
          .append(SimulationRunner.describe(shortest, 40));
    }
    summary.failures().stream().filter(r -> r.harnessFailure() != null).limit(3)
        .forEach(r -> report.append(SimulationRunner.describe(r, 20)));
    System.out.println(report);
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "sim-hunt.txt"), report);
  }
}
