package io.oneca.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness must be able to fail: each way a race can go wrong is reported. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaRaceTest {

  @Test
  void replicasOnTheStoredCa_converge() throws Exception {
    ReplicaRace.RaceReport report = ReplicaRace.builder()
        .replicas(4).rounds(10).keyPrefix("t/")
        .replica(i -> key -> "fp-" + key)
        .storedFingerprint(key -> Optional.of("fp-" + key))
        .run();

    report.assertConverged();
    assertThat(report.splitBrainRounds()).isZero();
    assertThat(report.rounds()).extracting(ReplicaRace.RoundResult::caKey).startsWith("t/round-0", "t/round-1");
  }

  @Test
  void oneReplicaOnAnotherCa_isASplitBrainNamedInTheFailure() throws Exception {
    ReplicaRace.RaceReport report = ReplicaRace.builder()
        .replicas(3).rounds(5).keyPrefix("t/")
        .replica(i -> key -> i == 2 && key.equals("t/round-3") ? "other" : "fp-" + key)
        .storedFingerprint(key -> Optional.of("fp-" + key))
        .run();

    assertThat(report.splitBrainRounds()).isEqualTo(1);
    assertThatThrownBy(report::assertConverged)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("round 3");
  }

  @Test
  void nothingStored_isASplitBrain() throws Exception {
    ReplicaRace.RaceReport report = ReplicaRace.builder()
        .replicas(2).rounds(2)
        .replica(i -> key -> "fp")
        .storedFingerprint(key -> Optional.empty())
        .run();

    assertThat(report.splitBrainRounds()).isEqualTo(2);
  }

  @Test
  void failingOrHangingReplica_isAFailedRound() throws Exception {
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    ReplicaRace.RaceReport report = ReplicaRace.builder()
        .replicas(2).rounds(2).keyPrefix("t/")
        .roundTimeout(Duration.ofMillis(500))
        .replica(i -> key -> {
          seen.put(key, true);
          if (i == 1 && key.endsWith("0")) {
            throw new IllegalStateException("boom");
          }
          if (i == 1) {
            new java.util.concurrent.CountDownLatch(1).await();
          }
          return "fp";
        })
        .storedFingerprint(key -> Optional.of("fp"))
        .run();

    assertThat(report.failedRounds()).isEqualTo(2);
    assertThat(report.rounds().get(0).failures()).anyMatch(f -> f.contains("boom"));
    assertThat(report.rounds().get(1).failures()).anyMatch(f -> f.contains("no result within"));
    assertThat(seen).containsKeys("t/round-0", "t/round-1");
  }

  @Test
  void builder_rejectsMissingSettings() {
    assertThatThrownBy(() -> ReplicaRace.builder().replicas(2).build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ReplicaRace.builder().replicas(1)).isInstanceOf(IllegalArgumentException.class);
  }
}
