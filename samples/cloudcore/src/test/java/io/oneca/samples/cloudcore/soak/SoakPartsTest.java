package io.oneca.samples.cloudcore.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The soak driver's parts that need no processes: options, the schedule, the version check. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SoakPartsTest {
  private static final String FP1 = "a".repeat(64);
  private static final String FP2 = "b".repeat(64);

  @Test
  void replicaVersionGoingBackwards_isReported_acrossRestartsOfTheSameId() {
    List<String> log = new ArrayList<>();
    ReplicaFleet fleet = new ReplicaFleet(List.of(), Path.of("unused"), log::add);
    fleet.observe("STARTED replica-0 CREATED " + FP1 + " 2 1000 1001");
    fleet.observe("CA replica-0 " + FP2 + " 3");
    fleet.observe("STARTED replica-1 ADOPTED_EXISTING " + FP2 + " 3 1002 1003");
    assertThat(fleet.regressions()).isEmpty();
    // replica-0 restarted and came back with an older record: that is a regression.
    fleet.observe("STARTED replica-0 ADOPTED_EXISTING " + FP1 + " 2 1000 1001");
    assertThat(fleet.regressions()).singleElement().asString().contains("replica-0 went from version 3 back to 2");
    assertThat(fleet.versionLines()).isEqualTo(4);
    assertThat(log).anyMatch(l -> l.startsWith("VERSION WENT BACKWARDS"));
  }

  @Test
  void equalVersions_areNotARegression_andServingLinesAreCounted() {
    ReplicaFleet fleet = new ReplicaFleet(List.of(), Path.of("unused"), l -> { });
    fleet.observe("STARTED replica-0 CREATED " + FP1 + " 2 1000 1001");
    fleet.observe("CA replica-0 " + FP1 + " 2");
    fleet.observe("SERVING replica-0 abc " + FP1);
    assertThat(fleet.regressions()).isEmpty();
    assertThat(fleet.servingChanges()).isEqualTo(1);
  }

  @Test
  void schedule_isDeterministicPerSeed_andEveryRoundHasEveryFault() {
    List<SoakFault> a = SoakFault.round(new Random(9));
    List<SoakFault> b = SoakFault.round(new Random(9));
    assertThat(a).isEqualTo(b).hasSize(7).containsAll(List.of(SoakFault.values()));
    assertThat(a.stream().filter(f -> f == SoakFault.ROTATE_CA)).hasSize(2);
    // Seed 9 (CloudCoreSoakIT) rotates right after the store restart.
    assertThat(a.subList(a.indexOf(SoakFault.RESTART_STORE), a.size())).startsWith(SoakFault.RESTART_STORE,
        SoakFault.ROTATE_CA);
  }

  @Test
  void options_validateEverySetting() {
    SoakOptions.Builder b = SoakOptions.builder(Path.of("x"));
    assertThatThrownBy(() -> b.edges(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.edges(501)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.duration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.gaps(Duration.ofSeconds(5), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SoakOptions.StoreKind.parse("k8s")).hasMessageContaining("etcd or zk");
    SoakOptions o = b.build();
    assertThat(o.store()).isEqualTo(SoakOptions.StoreKind.ETCD);
    assertThat(o.edges()).isEqualTo(50);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(SoakOptions.StoreKind.parse("ZK")).isEqualTo(SoakOptions.StoreKind.ZK);
  }
}
