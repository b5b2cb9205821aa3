package io.oneca.backend.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.OneCa;
import io.oneca.core.RetryPolicy;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.testkit.RotationRace;
import io.oneca.testkit.RotationRace.RotationReport;
import io.oneca.testkit.RotationRace.Stored;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CA rotation against real etcd: replicas forcing a rotation at once produce exactly one per round. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EtcdRotationRaceIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  private final EtcdReplicas replicas = new EtcdReplicas(
      ETCD.clientEndpoints(), new RetryPolicy(100, Duration.ofMillis(20), Duration.ofMillis(250), 0.2));
  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(),
      CaKeyProtection.encrypted(EtcdReplicas.KEK, List.of(), false));

  @AfterEach
  void close() {
    replicas.close();
  }

  @Test
  void eightReplicasForcingRotationAtOnce_exactlyOneRotationPerRound() throws Exception {
    String caKey = "rotation/" + System.nanoTime() + "/ca";
    List<OneCa> oneCas = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      oneCas.add(replicas.oneCa(replicas.client(), caKey, "replica-" + i, replicas.scheduler()));
    }
    CompletableFuture.allOf(oneCas.stream().map(OneCa::startAsync).toArray(CompletableFuture[]::new))
        .get(60, TimeUnit.SECONDS);
    EtcdStore reader = replicas.patientClient();
    try {
      RotationReport report = RotationRace.builder().replicas(8).rounds(25)
          .replica(i -> RotationRace.Replica.of(
              () -> new Stored(oneCas.get(i).ca().fingerprint().sha256Hex(), oneCas.get(i).ca().storeVersion()),
              from -> oneCas.get(i).rotation().force(new Fingerprint(from), false).get(30, TimeUnit.SECONDS).applied()))
          .stored(() -> {
            Versioned<byte[]> stored = reader.get(caKey).get(10, TimeUnit.SECONDS).orElseThrow();
            return new Stored(codec.decode(stored, reader.backend()).active().fingerprint().sha256Hex(), stored.version());
          })
          .run();

      report.assertExactlyOneWinnerPerRound();
      assertThat(report.rounds()).hasSize(25);
    } finally {
      oneCas.forEach(OneCa::close);
    }
  }
}
