package io.oneca.benchmarks.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Smoke test with tiny parameters, so that the etcd load drivers cannot rot. Not a timing assertion. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdBenchmarksIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  @Test
  void bootstrapConvergence_tinyRun_measuresEveryRoundWithoutSplitBrain() throws Exception {
    EtcdBootstrapConvergence.Result result = EtcdBootstrapConvergence.run(ETCD.clientEndpoints(), 3, 4, 1);

    assertThat(result.rounds().count()).isEqualTo(4);
    assertThat(result.splitBrainRounds()).isZero();
    assertThat(result.rounds().p99Millis()).isPositive().isGreaterThanOrEqualTo(result.rounds().p50Millis());
  }

  @Test
  void watchLatency_tinyRun_measuresEveryPut() throws Exception {
    Latencies latencies = EtcdWatchLatency.run(ETCD.clientEndpoints(), 20, 5);

    assertThat(latencies.count()).isEqualTo(20);
    assertThat(latencies.maxMillis()).isPositive().isGreaterThanOrEqualTo(latencies.p99Millis());
  }
}
