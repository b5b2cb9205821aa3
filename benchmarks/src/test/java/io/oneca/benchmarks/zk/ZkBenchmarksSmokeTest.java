package io.oneca.benchmarks.zk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the ZooKeeper load drivers with tiny parameters so that they cannot rot. Not a measurement. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZkBenchmarksSmokeTest {
  private static ZkServer server;

  @BeforeAll
  static void start() throws Exception {
    server = ZkServer.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void bootstrapConvergence_tinyRun_convergesEveryRound() throws Exception {
    ZkBootstrapConvergence.Result result = ZkBootstrapConvergence.run(server.connectString(), 3, 3);

    assertThat(result.disagreements()).isZero();
    assertThat(result.convergence().count()).isEqualTo(3);
    assertThat(result.convergence().p50()).isPositive();
  }

  @Test
  void watchLatency_tinyRun_deliversEveryWrite() throws Exception {
    Percentiles latency = ZkWatchLatency.run(server.connectString(), 5);

    assertThat(latency.count()).isEqualTo(5);
    assertThat(latency.p99()).isGreaterThanOrEqualTo(latency.p50()).isPositive();
  }
}
