package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.edge.JoinRefusedException;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.samples.cloudcore.server.ReplicaSettings;
import io.oneca.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge joins through a replica's real join endpoint and then renews by itself before its
 * certificate expires, over and over, without a trust failure; a token for another node is refused
 * for good and leaves no identity behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EdgeRenewalTest {
  @TempDir Path dir;

  @Test
  void joinedEdge_renewsBeforeExpiry_repeatedly() throws Exception {
    try (VersionedStore store = InMemoryStore.create();
        CloudCoreReplica replica = CloudCoreReplica.start(ReplicaSettings.builder("replica-0").store(store)
            .kekFile(Fixtures.kekFile(dir)).tokenKeyFile(Fixtures.tokenKeyFile(dir))
            .edgeTtl(Duration.ofSeconds(6)).build())) {
      String token = JoinTokens.fromKeyFile(Fixtures.tokenKeyFile(dir)).mint("edge-r", Duration.ofMinutes(5), Instant.now());
      try (EdgeNode edge = EdgeNode.start(Fixtures.edge("edge-r", dir.resolve("edge"), Fixtures.endpoints(List.of(replica)))
          .token(token, Set.of(replica.oneCa().ca().fingerprint().sha256Hex())).build())) {
        EdgeStatus joined = edge.status();
        assertThat(joined.joinedVia()).contains("replica-0");
        assertThat(Duration.between(Instant.now(), joined.notAfter())).isLessThanOrEqualTo(Duration.ofSeconds(6));

        Await.until("two renewals before expiry", Duration.ofSeconds(25), () -> edge.status().renewals() >= 2);
        EdgeStatus renewed = edge.status();
        assertThat(renewed.serial()).isNotEqualTo(joined.serial());
        assertThat(renewed.notAfter()).isAfter(joined.notAfter());
        assertThat(renewed.failures(FailureKind.CERTIFICATE_OR_TRUST)).as(renewed.lastFailure().orElse("")).isZero();
        assertThat(replica.stats().renewals()).isGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  void tokenForAnotherNode_isRefusedForGood_andNoFilesAreWritten() throws Exception {
    try (VersionedStore store = InMemoryStore.create();
        CloudCoreReplica replica = Fixtures.replicas(1, store, dir, Duration.ofSeconds(1)).get(0)) {
      String othersToken = JoinTokens.fromKeyFile(Fixtures.tokenKeyFile(dir)).mint("edge-b", Duration.ofMinutes(5), Instant.now());
      Path edgeDir = dir.resolve("edge-a");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeNode.start(Fixtures.edge("edge-a", edgeDir,
              Fixtures.endpoints(List.of(replica))).token(othersToken, Set.of(replica.oneCa().ca().fingerprint().sha256Hex()))
              .build()))
          .isInstanceOfSatisfying(JoinRefusedException.class, e -> assertThat(e.status()).isBetween(400, 499));
      assertThat(!Files.exists(edgeDir.resolve("tls.crt")) && !Files.exists(edgeDir.resolve("tls.key"))).isTrue();
    }
  }

  @Test
  void replicaNotChainingToThePinnedCa_isRefusedAtOnce() throws Exception {
    try (VersionedStore store = InMemoryStore.create();
        CloudCoreReplica replica = Fixtures.replicas(1, store, dir, Duration.ofSeconds(1)).get(0)) {
      String token = JoinTokens.fromKeyFile(Fixtures.tokenKeyFile(dir)).mint("edge-p", Duration.ofMinutes(5), Instant.now());
      long started = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeNode.start(Fixtures.edge("edge-p", dir.resolve("edge-p"),
              Fixtures.endpoints(List.of(replica))).token(token, Set.of("00".repeat(32))).build()))
          .hasMessageContaining("pinned CA");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no minute of retries").isLessThan(Duration.ofSeconds(20));
      assertThat(replica.joinAudit().recent()).as("the replica never saw the token").isEmpty();
    }
  }
}
