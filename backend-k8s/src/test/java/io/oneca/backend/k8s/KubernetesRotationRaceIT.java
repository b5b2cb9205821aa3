package io.oneca.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.testkit.RotationRace;
import io.oneca.testkit.RotationRace.RotationReport;
import io.oneca.testkit.RotationRace.Stored;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CA rotation on Secrets (fabric8's mock API server): replicas forcing a rotation at once produce
 * exactly one per round, through resourceVersion-conditional replaces.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubernetesRotationRaceIT {

  @Test
  void eightReplicasForcingRotationAtOnce_exactlyOneRotationPerRound() throws Exception {
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(),
        CaKeyProtection.encrypted(KubernetesBootstrapRaceIT.KEK, List.of(), false));
    List<AutoCloseable> toClose = new ArrayList<>();
    try (MockApiServer server = new MockApiServer()) {
      List<OneCa> oneCas = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        VersionedStore client = server.newStore(Duration.ofSeconds(10));
        toClose.add(client);
        OneCa oneCa = OneCa.builder().keyEncryptionKey(KubernetesBootstrapRaceIT.KEK).store(client)
            .replicaId("replica-" + i).build();
        toClose.add(0, oneCa);
        oneCas.add(oneCa);
      }
      CompletableFuture.allOf(oneCas.stream().map(OneCa::startAsync).toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
      VersionedStore reader = server.newStore(Duration.ofSeconds(10));
      toClose.add(reader);

      RotationReport report = RotationRace.builder().replicas(8).rounds(15)
          .replica(i -> RotationRace.Replica.of(
              () -> new Stored(oneCas.get(i).ca().fingerprint().sha256Hex(), oneCas.get(i).ca().storeVersion()),
              from -> oneCas.get(i).rotation().force(new Fingerprint(from), false).get(30, TimeUnit.SECONDS).applied()))
          .stored(() -> {
            Versioned<byte[]> stored = reader.get("oneca/ca").get(10, TimeUnit.SECONDS).orElseThrow();
            return new Stored(codec.decode(stored, reader.backend()).active().fingerprint().sha256Hex(), stored.version());
          })
          .run();

      report.assertExactlyOneWinnerPerRound();
      assertThat(report.rounds()).hasSize(15);
    } finally {
      for (AutoCloseable closeable : toClose) {
        closeable.close();
      }
    }
  }
}
