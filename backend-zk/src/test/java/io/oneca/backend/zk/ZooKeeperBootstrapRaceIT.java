package io.oneca.backend.zk;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.ReplicaRace;
import io.oneca.testkit.ReplicaRace.RaceReport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Incident 1 (KubeEdge CloudCore split brain) against real ZooKeeper: 8 OneCA replicas, each with
 * its own Curator client and session, bootstrap the same CA key at the same instant, 200 times.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZooKeeperBootstrapRaceIT {
  private TestingServer server;
  private CaReplicas replicas;
  private VersionedStore reader;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    replicas = new CaReplicas(CaReplicas.patientRetry());
    reader = client();
  }

  @AfterEach
  void stop() throws Exception {
    replicas.close();
    reader.close();
    server.close();
  }

  @Test
  void eightReplicasEachWithOwnSession_twoHundredRounds_zeroSplitBrain() throws Exception {
    RaceReport report = ReplicaRace.builder()
        .replicas(8)
        .rounds(200)
        .roundTimeout(Duration.ofSeconds(60))
        .replica(i -> replicas.replica(client(), "replica-" + i))
        .storedFingerprint(key -> replicas.storedFingerprint(reader, key))
        .run();

    report.assertConverged();
    assertThat(report.rounds()).hasSize(200);
    assertThat(report.splitBrainRounds()).isZero();
  }

  private VersionedStore client() {
    return ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("race-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .build();
  }
}
