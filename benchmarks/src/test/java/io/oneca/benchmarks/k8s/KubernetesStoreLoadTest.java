package io.oneca.benchmarks.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the load driver from rotting: a tiny run on the in-memory store (the fabric8 mock server
 * cannot join this module: it brings Vert.x 4, jetcd needs Vert.x 5). The Kubernetes run itself is
 * the command in BENCHMARKS.md, against a real cluster.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesStoreLoadTest {

  @Test
  void tinyRun_countsEveryIncrementAndMeasuresLatencies() throws Exception {
    try (InMemoryStore storage = InMemoryStore.create()) {
      List<VersionedStore> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        clients.add(storage.newClient());
      }
      KubernetesStoreLoad.Report report = KubernetesStoreLoad.run(clients, 20, Duration.ofSeconds(30));

      assertThat(report.increments()).isEqualTo(40);
      assertThat(report.casMicros()).hasSize(40);
      assertThat(report.getMicros()).hasSize(2);
      assertThat(report.watchLagMicros()).isNotEmpty();
      assertThat(report.toString()).contains("cas applied");
      for (VersionedStore client : clients) {
        client.close();
      }
    }
  }
}
