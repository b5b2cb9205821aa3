package io.oneca.backend.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.core.RetryPolicy;
import io.oneca.testkit.ReplicaRace;
import io.oneca.testkit.ReplicaRace.RaceReport;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import io.oneca.testkit.etcd.EtcdMember;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Incident 1 on a 3-member etcd cluster whose leader is SIGKILLed while replicas race. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EtcdLeaderLossIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.threeMembers();

  // Patient enough for a leader election (up to ~7 s on loopback here): about 40 s of retries. The
  // short request timeout makes calls caught by the election fail without an answer, so writes of
  // unknown outcome are settled by re-reads during the race instead of merely waiting.
  private final EtcdReplicas replicas = new EtcdReplicas(
      ETCD.clientEndpoints(), new RetryPolicy(60, Duration.ofMillis(50), Duration.ofSeconds(1), 0.2),
      Duration.ofMillis(300));

  @AfterEach
  void closeReplicas() {
    replicas.close();
  }

  @Test
  void leaderKilledDuringRace_zeroSplitBrain_allReplicasConverge() throws Exception {
    EtcdMember leader = ETCD.cluster().awaitLeader(Duration.ofSeconds(30));
    EtcdStore reader = replicas.patientClient();
    AtomicInteger bootstraps = new AtomicInteger();
    int replicaCount = 8;
    int killAfter = 5 * replicaCount;

    CompletableFuture<RaceReport> race = CompletableFuture.supplyAsync(() -> {
      try {
        return ReplicaRace.builder()
            .replicas(replicaCount)
            .rounds(25)
            .roundTimeout(Duration.ofSeconds(90))
            .replica(i -> {
              ReplicaRace.Replica replica = replicas.replica(i);
              return caKey -> {
                bootstraps.incrementAndGet();
                return replica.bootstrap(caKey);
              };
            })
            .storedFingerprint(caKey -> replicas.storedFingerprint(reader, caKey))
            .run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (bootstraps.get() < killAfter && !race.isDone() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.sleep(1);
    }
    assertThat(race).as("the race ended before the leader could be killed").isNotDone();
    leader.kill();
    long killedAt = System.nanoTime();
    assertThat(leader.isRunning()).isFalse();

    RaceReport report = race.get(3, TimeUnit.MINUTES);
    System.out.printf("leader %s killed after %d bootstraps; race ended %d ms later; %d bootstraps needed a retry,"
        + " %d were retried or stalled%n", leader.name(), killAfter,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), replicas.retriedBootstraps(),
        replicas.disturbedBootstraps());

    report.assertConverged();
    assertThat(report.splitBrainRounds()).isZero();
    assertThat(replicas.disturbedBootstraps())
        .as("no bootstrap was disturbed by the leader kill, so leader loss was not exercised")
        .isPositive();
    assertThat(ETCD.cluster().awaitLeader(Duration.ofSeconds(30))).isNotSameAs(leader);
  }
}
