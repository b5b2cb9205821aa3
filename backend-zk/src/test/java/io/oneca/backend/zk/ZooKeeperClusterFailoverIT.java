package io.oneca.backend.zk;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.testkit.ReplicaRace;
import io.oneca.testkit.ReplicaRace.RaceReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-server ensemble loses the server most replicas are connected to in the middle of a
 * bootstrap race. Writes in flight fail with ConnectionLoss (unknown outcome, settled by re-read),
 * sessions move to the surviving servers, and still no round may end with a replica on a CA other
 * than the stored one, and every replica must finish.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZooKeeperClusterFailoverIT {
  private static final int REPLICAS = 8;
  private static final int ROUNDS = 30;
  private static final int KILL_AT_ROUND = 8;

  private TestingCluster cluster;
  private CaReplicas replicas;
  private final List<ZooKeeperStore> stores = new ArrayList<>();
  private ZooKeeperStore reader;

  @BeforeEach
  void start() throws Exception {
    cluster = ZkServers.cluster(3);
    replicas = new CaReplicas(CaReplicas.patientRetry());
    reader = client();
  }

  @AfterEach
  void stop() throws Exception {
    replicas.close();
    reader.close();
    cluster.close();
  }

  @Test
  void killConnectedServerMidRace_zeroSplitBrainAndAllConverge() throws Exception {
    for (int i = 0; i < REPLICAS; i++) {
      ZooKeeperStore store = client();
      store.curator().blockUntilConnected(30, TimeUnit.SECONDS);
      stores.add(store);
    }
    CountDownLatch killRound = new CountDownLatch(1);
    CompletableFuture<Integer> killed = CompletableFuture.supplyAsync(() -> {
      try {
        if (!killRound.await(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException("race never reached round " + KILL_AT_ROUND);
        }
        return killBusiestServer();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    RaceReport report = ReplicaRace.builder()
        .replicas(REPLICAS)
        .rounds(ROUNDS)
        .roundTimeout(Duration.ofSeconds(90))
        .replica(i -> {
          ReplicaRace.Replica replica = replicas.replica(stores.get(i), "replica-" + i);
          return caKey -> {
            if (i == 0 && caKey.endsWith("round-" + KILL_AT_ROUND)) {
              killRound.countDown();
            }
            return replica.bootstrap(caKey);
          };
        })
        .storedFingerprint(key -> replicas.storedFingerprint(reader, key))
        .run();

    int replicasOnKilledServer = killed.get(2, TimeUnit.MINUTES);
    assertThat(replicasOnKilledServer).isPositive();
    assertThat(report.splitBrainRounds()).isZero();
    report.assertConverged();
  }

  /** Kills the server that most replicas are connected to; returns how many were connected to it. */
  private int killBusiestServer() throws Exception {
    Map<InstanceSpec, Integer> connections = new HashMap<>();
    for (ZooKeeperStore store : stores) {
      InstanceSpec spec = cluster.findConnectionInstance(store.curator().getZookeeperClient().getZooKeeper());
      if (spec != null) {
        connections.merge(spec, 1, Integer::sum);
      }
    }
    Map.Entry<InstanceSpec, Integer> busiest = connections.entrySet().stream()
        .max(Map.Entry.comparingByValue()).orElseThrow();
    if (!cluster.killServer(busiest.getKey())) {
      throw new IllegalStateException("could not kill " + busiest.getKey());
    }
    return busiest.getValue();
  }

  private ZooKeeperStore client() {
    return ZooKeeperStore.builder()
        .connectString(cluster.getConnectString())
        .allowOpenAcl(true)
        .namespace("failover-it")
        .sessionTimeout(Duration.ofSeconds(15))
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
  }
}
