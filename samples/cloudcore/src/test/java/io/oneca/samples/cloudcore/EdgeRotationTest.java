package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
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
 * Replicas and edges in one JVM on one store: a forced CA rotation reaches every edge through its
 * hub stream, every edge renews onto the new CA, and no edge sees a certificate or trust failure
 * or loses its stream.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EdgeRotationTest {
  @TempDir Path dir;

  @Test
  void forcedRotationReachesEveryEdgeWithoutTrustFailures() throws Exception {
    List<CloudCoreReplica> replicas = new ArrayList<>();
    List<EdgeNode> edges = new ArrayList<>();
    try (VersionedStore store = InMemoryStore.create()) {
      replicas.addAll(Fixtures.replicas(3, store, dir, Duration.ofMillis(500)));
      List<ReplicaEndpoint> endpoints = Fixtures.endpoints(replicas);
      for (int i = 0; i < 3; i++) {
        Path edgeDir = dir.resolve("edge-" + i);
        Fixtures.provision(replicas.get(0).oneCa(), "edge-" + i, edgeDir);
        edges.add(EdgeNode.start(Fixtures.edge("edge-" + i, edgeDir, endpoints).streamVia(i).build()));
      }
      Await.until("every edge streaming and pinging", Duration.ofSeconds(20), () -> edges.stream()
          .map(EdgeNode::status).allMatch(s -> s.streamReplica().isPresent() && s.pingsOk() > 3));
      Fingerprint before = replicas.get(0).oneCa().ca().fingerprint();

      TransitionResult rotated = replicas.get(1).oneCa().rotation().force(false).join();
      assertThat(rotated.outcome()).isEqualTo(TransitionResult.Outcome.APPLIED);
      Await.until("every replica and edge on the new CA", Duration.ofSeconds(30), () ->
          replicas.stream().noneMatch(r -> r.oneCa().ca().fingerprint().equals(before))
              && edges.stream().map(EdgeNode::status).allMatch(EdgeStatus::onActiveCa));
      String after = replicas.get(0).oneCa().ca().fingerprint().sha256Hex();
      long pingsAtConvergence = edges.stream().mapToLong(e -> e.status().pingsOk()).sum();
      Await.until("more pings after the rotation", Duration.ofSeconds(10),
          () -> edges.stream().mapToLong(e -> e.status().pingsOk()).sum() > pingsAtConvergence + 20);

      for (EdgeNode edge : edges) {
        EdgeStatus status = edge.status();
        assertThat(status.issuerFingerprint()).as(status.node()).isEqualTo(after);
        assertThat(status.failures(FailureKind.CERTIFICATE_OR_TRUST)).as(status.node() + " " + status.lastFailure())
            .isZero();
        assertThat(status.streamConnects()).as(status.node() + " kept its stream").isEqualTo(1);
        assertThat(status.renewals()).as(status.node()).isGreaterThanOrEqualTo(1);
      }
    } finally {
      edges.forEach(EdgeNode::close);
      replicas.forEach(CloudCoreReplica::close);
    }
  }
}
