package io.oneca.backend.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.etcd.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd serving clients over TLS with client certificates required ({@code --client-cert-auth}),
 * with certificates issued by OneCA itself.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdTlsIT {
  @TempDir
  static Path dir;
  static Path caFile;
  static Path clientCert;
  static Path clientKey;
  static EtcdCluster etcd;

  @BeforeAll
  static void startEtcdWithTls() throws Exception {
    try (InMemoryStore storage = InMemoryStore.create(); OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(storage).build()) {
      oneCa.start();
      caFile = Files.writeString(dir.resolve("ca.pem"), oneCa.ca().trustBundlePem());
      Path serverCert = dir.resolve("server.pem");
      Path serverKey = dir.resolve("server-key.pem");
      issue(oneCa, "etcd", CertificateProfile.SERVER, serverCert, serverKey);
      clientCert = dir.resolve("client.pem");
      clientKey = dir.resolve("client-key.pem");
      issue(oneCa, "oneca", CertificateProfile.CLIENT, clientCert, clientKey);
      etcd = EtcdCluster.startWithTls(caFile, serverCert, serverKey);
    }
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void mutualTls_viaUri_writesReadsAndSubscribes() throws Exception {
    String hostPort = etcd.tlsClientEndpoints().get(0).substring("https://".length());
    String uri = "etcd://" + hostPort + "/tls?tlsCa=" + caFile + "&tlsCert=" + clientCert + "&tlsKey=" + clientKey;
    ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    try (VersionedStore store = Stores.open(uri)) {
      assertThat(store.backend()).endsWith("(tls)");
      LinkedBlockingQueue<Optional<Versioned<byte[]>>> states = new LinkedBlockingQueue<>();
      try (Subscription subscription = store.subscribe(KeyScope.key("oneca/ca"), (k, s) -> states.add(s), listenerThread)) {
        assertThat(states.poll(30, TimeUnit.SECONDS)).isEmpty();

        CasResult created = store.compareAndSet("oneca/ca", Precondition.absent(), "ca".getBytes(UTF_8)).join();

        assertThat(created.applied()).isTrue();
        assertThat(store.get("oneca/ca").join().orElseThrow().value()).isEqualTo("ca".getBytes(UTF_8));
        Versioned<byte[]> delivered = states.poll(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(delivered.version()).isEqualTo(((CasResult.Applied) created).value().version());
        assertThat(subscription.isClosed()).isFalse();
      }
    } finally {
      listenerThread.shutdownNow();
    }
  }

  @Test
  void withoutClientCertificate_theServerRefuses_andTheFailureIsTyped() {
    try (EtcdStore store = EtcdStore.builder().endpoints(etcd.tlsClientEndpoints()).tlsCa(caFile)
        .requestTimeout(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> store.get("oneca/ca").join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("oneca/ca");
    }
  }

  private static void issue(OneCa oneCa, String name, CertificateProfile profile, Path certFile, Path keyFile)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    IssuedCertificate issued = oneCa.issue(CertificateRequest.fromPublicKey(keys.getPublic())
        .commonName(name).profile(profile).ipAddress("127.0.0.1").dnsName("localhost").build());
    Files.writeString(certFile, issued.chainPem());
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
  }
}
