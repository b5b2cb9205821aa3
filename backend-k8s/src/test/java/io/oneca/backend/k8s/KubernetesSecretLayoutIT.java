package io.oneca.backend.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.OneCa;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What other tools see: Secrets as a plain fabric8 client reads them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesSecretLayoutIT {
  private MockApiServer server;
  private KubernetesSecretStore store;
  private KubernetesClient plain;

  @BeforeEach
  void start() throws Exception {
    server = new MockApiServer();
    store = server.newStore(Duration.ofSeconds(10));
    plain = server.newClient(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    store.close();
    server.close();
  }

  @Test
  void identityRecord_isAKubernetesTlsSecretWithOneDataKeyPerEntry_andReadsBackByteForByte() {
    byte[] value = NamedEntries.of("identity", 1, Map.of(
        "tls.crt", pem("CERTIFICATE"), "tls.key", pem("PRIVATE KEY"), "ca.crt", pem("CERTIFICATE"))).encode();

    Versioned<byte[]> created = applied(store.compareAndSet("nodes/edge-1", Precondition.absent(), value).join());

    Secret secret = plainRead("oneca-nodes--edge-01");
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(decode(secret, "tls.crt")).isEqualTo(pem("CERTIFICATE"));
    assertThat(decode(secret, "tls.key")).isEqualTo(pem("PRIVATE KEY"));
    assertThat(secret.getStringData()).isNullOrEmpty();
    assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "oneca");
    assertThat(secret.getMetadata().getAnnotations())
        .containsEntry("oneca.io/key", "nodes/edge-1")
        .containsEntry("oneca.io/kind", "identity")
        .containsEntry("oneca.io/schema-version", "1")
        .containsEntry("oneca.io/version", Long.toString(created.version()));
    assertThat(store.get("nodes/edge-1").join().orElseThrow().value()).isEqualTo(value);
  }

  @Test
  void caRecordWrittenByOneCa_hasCaCrtAndCaKeyDataKeys_opaque() {
    try (OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store).caKey("oneca/prod/ca").build()) {
      oneCa.start();
    }

    Secret secret = plainRead("oneca-oneca--prod--ca");
    assertThat(secret.getType()).isEqualTo("Opaque");
    assertThat(secret.getData()).containsKeys("ca.crt", "ca.key");
    assertThat(new String(decode(secret, "ca.crt"), UTF_8)).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void rotatedCaRecord_keepsOneDataKeyPerEntry_andReadsBack() throws Exception {
    try (OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store).caKey("oneca/rotated/ca").build()) {
      oneCa.start();
      oneCa.rotation().prepare().get(30, java.util.concurrent.TimeUnit.SECONDS);
      oneCa.rotation().activate().get(30, java.util.concurrent.TimeUnit.SECONDS);
      var prepared = oneCa.rotation().prepare().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(prepared.applied()).as(prepared.detail()).isTrue();

      Secret secret = plainRead("oneca-oneca--rotated--ca");
      assertThat(secret.getData()).containsKeys("ca.crt", "ca.key", "next.crt", "next.key", "retired.0.crt",
          "trust-bundle.pem", "metadata");
      assertThat(oneCa.reload().get(30, java.util.concurrent.TimeUnit.SECONDS).trustBundle()).hasSize(3);
      assertThat(oneCa.rotation().status().prepared()).isPresent();
      assertThat(oneCa.consistency().get(30, java.util.concurrent.TimeUnit.SECONDS).status())
          .isEqualTo(io.oneca.core.Consistency.Status.CONSISTENT);
    }
  }

  @Test
  void bytesThatOnlyLookLikeAnEnvelope_areStoredRawUnderValue() {
    byte[] envelope = NamedEntries.of("x", 1, Map.of("a", new byte[] {1})).encode();
    byte[] damaged = envelope.clone();
    damaged[damaged.length - 1] ^= 1; // checksum no longer matches

    applied(store.compareAndSet("raw/damaged", Precondition.absent(), damaged).join());

    Secret secret = plainRead("oneca-raw--damaged");
    assertThat(secret.getData()).containsOnlyKeys("value");
    assertThat(store.get("raw/damaged").join().orElseThrow().value()).isEqualTo(damaged);
  }

  @Test
  void tlsSecret_replacedWithANonTlsValue_isRejectedAndKept() {
    byte[] tls = NamedEntries.of("identity", 1, Map.of("tls.crt", pem("CERTIFICATE"), "tls.key", pem("PRIVATE KEY"))).encode();
    Versioned<byte[]> created = applied(store.compareAndSet("nodes/edge-2", Precondition.absent(), tls).join());

    assertThatThrownBy(() -> store.compareAndSet("nodes/edge-2", Precondition.atVersion(created.version()),
        "plain".getBytes(UTF_8)).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(InvalidRequestException.class);
    assertThat(store.get("nodes/edge-2").join().orElseThrow().version()).isEqualTo(created.version());

    byte[] renewed = NamedEntries.of("identity", 1, Map.of("tls.crt", pem("RENEWED"), "tls.key", pem("PRIVATE KEY"))).encode();
    Versioned<byte[]> replaced = applied(store.compareAndSet("nodes/edge-2", Precondition.atVersion(created.version()), renewed).join());
    assertThat(replaced.version()).isGreaterThan(created.version());
    assertThat(plainRead("oneca-nodes--edge-02").getType()).isEqualTo("kubernetes.io/tls");
  }

  @Test
  void dataEditedWithoutTheStore_isReportedUnreadableNotServedUnderTheOldVersion() {
    applied(store.compareAndSet("edited", Precondition.absent(), "original".getBytes(UTF_8)).join());
    Secret secret = plainRead("oneca-edited");
    secret.getData().put("value", Base64.getEncoder().encodeToString("tampered".getBytes(UTF_8)));
    plain.secrets().inNamespace(MockApiServer.NAMESPACE).resource(secret).update();

    assertThatThrownBy(() -> store.get("edited").join())
        .hasCauseInstanceOf(io.oneca.api.UnreadableRecordException.class)
        .hasMessageContaining("oneca.io/sha256");
  }

  private Secret plainRead(String name) {
    return plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName(name).get();
  }

  private static byte[] decode(Secret secret, String dataKey) {
    return Base64.getDecoder().decode(secret.getData().get(dataKey));
  }

  private static byte[] pem(String type) {
    return ("-----BEGIN " + type + "-----\nAAAA\n-----END " + type + "-----\n").getBytes(UTF_8);
  }

  private static Versioned<byte[]> applied(CasResult result) {
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }
}
