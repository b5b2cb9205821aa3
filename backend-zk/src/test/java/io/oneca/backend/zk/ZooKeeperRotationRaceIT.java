package io.oneca.backend.zk;

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
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CA rotation against real ZooKeeper: replicas forcing a rotation at once produce exactly one per round. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ZooKeeperRotationRaceIT {

  @Test
  void eightReplicasForcingRotationAtOnce_exactlyOneRotationPerRound() throws Exception {
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(),
        CaKeyProtection.encrypted(CaReplicas.KEK, List.of(), false));
    List<AutoCloseable> toClose = new ArrayList<>();
    try (TestingServer server = ZkServers.standalone()) {
      List<OneCa> oneCas = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        VersionedStore client = client(server);
        toClose.add(client);
        OneCa oneCa = OneCa.builder().keyEncryptionKey(CaReplicas.KEK).store(client).replicaId("replica-" + i)
            .bootstrapRetry(CaReplicas.patientRetry()).build();
        toClose.add(0, oneCa);
        oneCas.add(oneCa);
      }
      CompletableFuture.allOf(oneCas.stream().map(OneCa::startAsync).toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
      VersionedStore reader = client(server);
      toClose.add(reader);

      RotationReport report = RotationRace.builder().replicas(8).rounds(25)
          .replica(i -> RotationRace.Replica.of(
              () -> new Stored(oneCas.get(i).ca().fingerprint().sha256Hex(), oneCas.get(i).ca().storeVersion()),
              from -> oneCas.get(i).rotation().force(new Fingerprint(from), false).get(30, TimeUnit.SECONDS).applied()))
          .stored(() -> {
            Versioned<byte[]> stored = reader.get("oneca/ca").get(10, TimeUnit.SECONDS).orElseThrow();
            return new Stored(codec.decode(stored, reader.backend()).active().fingerprint().sha256Hex(), stored.version());
          })
          .run();

      report.assertExactlyOneWinnerPerRound();
      assertThat(report.rounds()).hasSize(25);
    } finally {
      for (AutoCloseable closeable : toClose) {
        closeable.close();
      }
    }
  }

  private static VersionedStore client(TestingServer server) {
    return ZooKeeperStore.builder().connectString(server.getConnectString()).allowOpenAcl(true).namespace("rotation-it")
        .sessionTimeout(Duration.ofSeconds(10)).build();
  }
}
