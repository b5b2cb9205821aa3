package io.oneca.backend.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.core.OneCa;
import io.oneca.core.RetryPolicy;
import io.oneca.testkit.ReplicaRace;
import io.oneca.testkit.ReplicaRace.RaceReport;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import io.oneca.testkit.etcd.EtcdMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Incident 1 (split-brain CA) against real etcd: replicas racing, and etcd going away mid-bootstrap. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EtcdBootstrapRaceIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  private final EtcdReplicas replicas = new EtcdReplicas(
      ETCD.clientEndpoints(), new RetryPolicy(400, Duration.ofMillis(20), Duration.ofMillis(250), 0.2));

  @AfterEach
  void closeReplicas() throws Exception {
    ETCD.cluster().member(0).start();
    replicas.close();
  }

  @Test
  void eightReplicasEachWithOwnClient_twoHundredRounds_zeroSplitBrain() throws Exception {
    EtcdStore reader = replicas.patientClient();

    RaceReport report = ReplicaRace.builder()
        .replicas(8)
        .rounds(200)
        .replica(replicas::replica)
        .storedFingerprint(caKey -> replicas.storedFingerprint(reader, caKey))
        .run();

    assertThat(report.splitBrainRounds()).isZero();
    report.assertConverged();
    assertThat(report.rounds()).hasSize(200);
  }

  @Test
  void etcdStoppedMidBootstrap_noReplicaUsesACaBeforeTheStoreConfirmsIt_thenExactlyOneCa() throws Exception {
    EtcdMember etcd = ETCD.cluster().member(0);
    String caKey = "stopped/" + System.nanoTime() + "/ca";
    List<OneCa> oneCas = new ArrayList<>();
    List<CompletableFuture<BootstrapResult>> started = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      OneCa oneCa = replicas.oneCa(replicas.client(), caKey, "replica-" + i, replicas.scheduler());
      oneCas.add(oneCa);
    }
    try {
      // Half start while etcd is up, then etcd goes away, then the other half start.
      for (OneCa oneCa : oneCas.subList(0, 4)) {
        started.add(oneCa.startAsync());
      }
      etcd.stop();
      for (OneCa oneCa : oneCas.subList(4, 8)) {
        started.add(oneCa.startAsync());
      }
      assertThat(started.subList(4, 8)).noneMatch(CompletableFuture::isDone);

      List<String> confirmedBeforeStop = new ArrayList<>();
      for (int i = 0; i < oneCas.size(); i++) {
        if (started.get(i).isDone() && !started.get(i).isCompletedExceptionally()) {
          confirmedBeforeStop.add(started.get(i).join().ca().fingerprint().sha256Hex());
        } else {
          OneCa pending = oneCas.get(i);
          assertThatThrownBy(pending::ca).as("replica %d uses a CA the store has not confirmed", i)
              .isInstanceOf(IllegalStateException.class);
        }
      }

      etcd.start();
      etcd.awaitHealthy(Duration.ofSeconds(30));
      Set<String> fingerprints = new HashSet<>();
      for (int i = 0; i < oneCas.size(); i++) {
        BootstrapResult result = started.get(i).get(90, TimeUnit.SECONDS);
        fingerprints.add(result.ca().fingerprint().sha256Hex());
        assertThat(oneCas.get(i).ca().fingerprint()).isEqualTo(result.ca().fingerprint());
      }
      String stored = replicas.storedFingerprint(replicas.patientClient(), caKey).orElseThrow();
      assertThat(fingerprints).containsExactly(stored);
      assertThat(confirmedBeforeStop).allMatch(stored::equals);
    } finally {
      oneCas.forEach(OneCa::close);
    }
  }
}
