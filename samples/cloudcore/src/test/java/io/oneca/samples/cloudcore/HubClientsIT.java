package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.VersionedStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standard clients against a replica, with the files a joined edge wrote: {@code openssl s_client}
 * and {@code curl} talk to the mTLS hub with the edge's certificate and are refused without it;
 * the public listener's readiness and metrics endpoints answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HubClientsIT {
  @TempDir static Path dir;
  private VersionedStore store;
  private CloudCoreReplica replica;
  private EdgeNode edge;
  private Path edgeDir;

  @BeforeAll
  void joinOneEdge() throws Exception {
    store = InMemoryStore.create();
    replica = Fixtures.replicas(1, store, dir, Duration.ofSeconds(1)).get(0);
    edgeDir = dir.resolve("edge-tools");
    String token = JoinTokens.fromKeyFile(Fixtures.tokenKeyFile(dir)).mint("edge-tools", Duration.ofMinutes(5), Instant.now());
    edge = EdgeNode.start(Fixtures.edge("edge-tools", edgeDir, Fixtures.endpoints(List.of(replica)))
        .token(token, Set.of(replica.oneCa().ca().fingerprint().sha256Hex())).build());
    Await.until("the edge pings", Duration.ofSeconds(20), () -> edge.status().pingsOk() > 0);
  }

  @AfterAll
  void stop() {
    if (edge != null) {
      edge.close();
    }
    if (replica != null) {
      replica.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private String hub() {
    return "127.0.0.1:" + replica.hubAddress().getPort();
  }

  @Test
  void curlWithTheEdgeCertificate_isServed_andWithoutIt_isRefused() throws Exception {
    String url = "https://" + hub() + "/v1/hub/ping";
    Tool with = Tool.run(dir, "", List.of("curl", "-sS", "--max-time", "10", "--cacert", edgeDir.resolve("ca.crt").toString(),
        "--cert", edgeDir.resolve("tls.crt").toString(), "--key", edgeDir.resolve("tls.key").toString(), url));
    assertThat(with.exitCode()).as(with.output()).isZero();
    assertThat(with.output()).contains("\"node\":\"edge-tools\"").contains("\"replica\":\"replica-0\"");

    Tool without = Tool.run(dir, "", List.of("curl", "-sS", "--max-time", "10", "--cacert",
        edgeDir.resolve("ca.crt").toString(), url));
    assertThat(without.exitCode()).as(without.output()).isNotZero();
    assertThat(without.output()).doesNotContain("\"node\"");
  }

  @Test
  void opensslSClientWithTheEdgeCertificate_isServed_andWithoutIt_isRefused() throws Exception {
    String request = "GET /v1/hub/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    List<String> base = List.of("openssl", "s_client", "-connect", hub(), "-verify_return_error", "-verify_ip", "127.0.0.1",
        "-CAfile", edgeDir.resolve("ca.crt").toString(), "-ign_eof");
    Tool with = Tool.run(dir, request, concat(base, "-cert", edgeDir.resolve("tls.crt").toString(),
        "-key", edgeDir.resolve("tls.key").toString()));
    assertThat(with.output()).contains("Verify return code: 0 (ok)").contains("HTTP/1.1 200")
        .contains("\"node\":\"edge-tools\"");

    // TLS 1.3: the client's handshake completes before the server checks for a client certificate;
    // the server then ends the connection (an alert, a close or a reset) and answers nothing.
    Tool without = Tool.run(dir, request, base);
    assertThat(without.output()).doesNotContain("HTTP/1.1").doesNotContain("\"node\"")
        .containsAnyOf("alert", "unexpected eof", "read:errno=104");
  }

  @Test
  void readinessAndMetrics_answerOnThePublicListener() throws Exception {
    String base = "https://127.0.0.1:" + replica.publicAddress().getPort();
    String ca = edgeDir.resolve("ca.crt").toString();
    Tool ready = Tool.run(dir, "", List.of("curl", "-sS", "--max-time", "10", "--cacert", ca, "-w", "\n%{http_code}", base + "/readyz"));
    assertThat(ready.output()).contains("\"status\":\"UP\"").endsWith("200");
    Tool metrics = Tool.run(dir, "", List.of("curl", "-sS", "--max-time", "10", "--cacert", ca, base + "/metrics"));
    assertThat(metrics.output()).contains("cloudcore_hub_streams_open 1").contains("oneca_");
  }

  private static List<String> concat(List<String> a, String... more) {
    return java.util.stream.Stream.concat(a.stream(), java.util.Arrays.stream(more)).toList();
  }
}
