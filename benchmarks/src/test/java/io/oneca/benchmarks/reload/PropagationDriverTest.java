package io.oneca.benchmarks.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.benchmarks.tls.HandshakeBenchmark;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Smoke runs with tiny parameters, so that the drivers cannot rot. Figures are not checked. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PropagationDriverTest {

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file"})
  void propagation_everyReplicaServesTheNewCa(String store) throws Exception {
    PropagationDriver.Result result = PropagationDriver.run(store, 3, 2, 20);
    assertThat(result.millis().count()).isEqualTo(2);
    assertThat(result.millis().min()).isPositive();
  }

  @Test
  void propagationViaForcedRotation_everyReplicaServesTheNewCa() throws Exception {
    PropagationDriver.Result result = PropagationDriver.run("memory", 3, 2, 20, true);
    assertThat(result.millis().count()).isEqualTo(2);
    assertThat(result.millis().min()).isPositive();
  }

  @Test
  void handshakeBenchmark_completesAHandshakeWithBothKindsOfManagers() throws Exception {
    for (String managers : new String[] {"static", "reloading"}) {
      HandshakeBenchmark benchmark = new HandshakeBenchmark();
      benchmark.managers = managers;
      benchmark.setUp();
      try {
        assertThat(benchmark.handshake()).isEqualTo("TLSv1.3");
      } finally {
        benchmark.tearDown();
      }
    }
  }
}
