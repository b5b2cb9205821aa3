package io.oneca.benchmarks.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Smoke run of the propagation driver on a real local etcd, with tiny parameters. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PropagationDriverEtcdIT {

  @Test
  void propagation_onEtcd_everyReplicaServesTheNewCa() throws Exception {
    PropagationDriver.Result result = PropagationDriver.run("etcd", 3, 2, 20);
    assertThat(result.millis().count()).isEqualTo(2);
    assertThat(result.millis().min()).isPositive();
  }
}
