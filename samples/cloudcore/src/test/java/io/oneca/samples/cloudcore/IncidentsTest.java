package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.IssuedCertificate;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeProbe;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.testkit.Await;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kong and kops incidents end to end: a replica serves its renewed certificate on the next
 * handshake without a restart, and an edge whose certificate files were swapped by someone else
 * presents the new certificate on its next connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IncidentsTest {
  @TempDir Path dir;

  @Test
  void kong_renewedReplicaCertificate_isServedWithoutRestart() throws Exception {
    try (VersionedStore store = InMemoryStore.create();
        CloudCoreReplica replica = Fixtures.replicas(1, store, dir, Duration.ofSeconds(1)).get(0)) {
      Fixtures.provision(replica.oneCa(), "edge-kong", dir.resolve("edge"));
      try (EdgeNode edge = EdgeNode.start(Fixtures.edge("edge-kong", dir.resolve("edge"),
          Fixtures.endpoints(List.of(replica))).build())) {
        BigInteger first = servedSerial(edge, replica);
        assertThat(first).isEqualTo(replica.identity().current().certificate().getSerialNumber());

        BigInteger renewed = replica.identity().renewNow().certificate().getSerialNumber();
        assertThat(renewed).isNotEqualTo(first);
        assertThat(servedSerial(edge, replica)).as("a new connection is served the renewed certificate").isEqualTo(renewed);
        long pings = edge.status().pingsOk();
        Await.until("the edge's own traffic continues", Duration.ofSeconds(10), () -> edge.status().pingsOk() > pings + 3);
        assertThat(edge.status().failures(FailureKind.CERTIFICATE_OR_TRUST)).isZero();
      }
    }
  }

  @Test
  void kops_swappedCertificateFiles_arePresentedOnTheNextConnection() throws Exception {
    try (VersionedStore store = InMemoryStore.create();
        CloudCoreReplica replica = Fixtures.replicas(1, store, dir, Duration.ofSeconds(1)).get(0)) {
      Path edgeDir = dir.resolve("edge");
      IssuedCertificate original = Fixtures.provision(replica.oneCa(), "edge-kops", edgeDir);
      try (EdgeNode edge = EdgeNode.start(Fixtures.edge("edge-kops", edgeDir, Fixtures.endpoints(List.of(replica))).build())) {
        String originalSerial = original.serialNumber().toString(16);
        Await.until("the replica sees the original certificate", Duration.ofSeconds(10),
            () -> edge.lastPingSerial().filter(originalSerial::equals).isPresent());

        // Someone else (a config-management run, an operator) replaces the files in place.
        IssuedCertificate swapped = Fixtures.provision(replica.oneCa(), "edge-kops", edgeDir);
        String swappedSerial = swapped.serialNumber().toString(16);
        Await.until("the replica sees the swapped certificate", Duration.ofSeconds(10),
            () -> edge.lastPingSerial().filter(swappedSerial::equals).isPresent());
        assertThat(edge.status().serial()).isEqualTo(swappedSerial);
        assertThat(edge.status().failures(FailureKind.CERTIFICATE_OR_TRUST)).isZero();
      }
    }
  }

  /** Opens a fresh mTLS connection with the edge's material and returns the server's certificate serial. */
  private static BigInteger servedSerial(EdgeNode edge, CloudCoreReplica replica) throws Exception {
    try (SSLSocket socket = EdgeProbe.connect(edge, replica.hubAddress())) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
