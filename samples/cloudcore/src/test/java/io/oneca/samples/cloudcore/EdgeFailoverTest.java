package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge whose replica goes away reconnects to another one, and a rotation that happened while it
 * was reconnecting still reaches it: the new stream starts with the newest bundle (level-triggered).
 * Failures while the replica is down are counted as unavailability, never as trust failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EdgeFailoverTest {
  @TempDir Path dir;

  @Test
  void replicaGoesAway_edgeReconnectsElsewhere_andCatchesUpWithTheRotation() throws Exception {
    List<CloudCoreReplica> replicas = new ArrayList<>();
    try (VersionedStore store = InMemoryStore.create()) {
      replicas.addAll(Fixtures.replicas(2, store, dir, Duration.ofMillis(500)));
      Fixtures.provision(replicas.get(0).oneCa(), "edge-f", dir.resolve("edge"));
      try (EdgeNode edge = EdgeNode.start(Fixtures.edge("edge-f", dir.resolve("edge"), Fixtures.endpoints(replicas))
          .streamVia(0).build())) {
        Await.until("the stream is open at replica-0", Duration.ofSeconds(10),
            () -> edge.status().streamReplica().filter("replica-0"::equals).isPresent());

        replicas.get(0).close();
        // Rotate at once, before the edge can have reconnected: only level-triggered delivery brings it.
        String newCa = replicas.get(1).oneCa().rotation().force(false).join().toString();
        Await.until("the edge streams from replica-1 and holds a certificate of the new CA", Duration.ofSeconds(20),
            () -> {
              EdgeStatus s = edge.status();
              return s.streamReplica().filter("replica-1"::equals).isPresent() && s.onActiveCa()
                  && s.issuerFingerprint().equals(replicas.get(1).oneCa().ca().fingerprint().sha256Hex());
            });
        EdgeStatus status = edge.status();
        assertThat(status.streamConnects()).as(newCa).isEqualTo(2);
        assertThat(status.failures(FailureKind.REPLICA_UNAVAILABLE)).isPositive();
        assertThat(status.failures(FailureKind.CERTIFICATE_OR_TRUST)).as(status.lastFailure().orElse("")).isZero();
        long pings = status.pingsOk();
        Await.until("pings keep succeeding on the remaining replica", Duration.ofSeconds(10),
            () -> edge.status().pingsOk() > pings + 5);
      }
    } finally {
      replicas.forEach(CloudCoreReplica::close);
    }
  }
}
