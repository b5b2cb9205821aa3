package io.oneca.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.OneCa;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.store.InMemoryStore;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real handshakes over loopback: material changes apply to running contexts without rebuilding them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadingManagersTest {
  private final InMemoryStore storeA = InMemoryStore.create();
  private final InMemoryStore storeB = InMemoryStore.create();
  private final OneCa caA = started(storeA, "CN=CA A");
  private final OneCa caB = started(storeB, "CN=CA B");

  private static OneCa started(InMemoryStore store, String subject) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store).caSubject(subject).build();
    oneCa.start();
    return oneCa;
  }

  @AfterEach
  void tearDown() {
    caA.close();
    caB.close();
    storeA.close();
    storeB.close();
  }

  record Leaf(KeyPair keys, List<X509Certificate> chain) {}

  static Leaf leaf(OneCa ca, String name, KeyAlgorithm algorithm) {
    KeyPair keys = KeyPairs.generate(algorithm, Providers.bouncyCastle(), new SecureRandom());
    return leaf(ca, name, keys);
  }

  static Leaf leaf(OneCa ca, String name, KeyPair keys) {
    IssuedCertificate issued = ca.issue(CertificateRequest.fromPublicKey(keys.getPublic()).commonName(name)
        .dnsName("localhost").ipAddress("127.0.0.1").profile(CertificateProfile.SERVER_AND_CLIENT).build());
    return new Leaf(keys, issued.chain());
  }

  @Test
  void serverAndClient_hotReload_withoutRebuildingTheirContexts() throws Exception {
    Leaf server1 = leaf(caA, "server", KeyAlgorithm.EC_P256);
    Leaf client1 = leaf(caA, "client", KeyAlgorithm.EC_P256);
    ReloadingX509KeyManager serverKeys = ReloadingX509KeyManager.of(server1.keys().getPrivate(), server1.chain());
    ReloadingX509TrustManager serverTrust = ReloadingX509TrustManager.of(caA.ca().trustBundle());
    ReloadingX509KeyManager clientKeys = ReloadingX509KeyManager.of(client1.keys().getPrivate(), client1.chain());
    ReloadingX509TrustManager clientTrust = ReloadingX509TrustManager.of(caA.ca().trustBundle());
    SSLContext serverContext = TlsContexts.sslContext(serverKeys, serverTrust);
    SSLContext clientContext = TlsContexts.sslContext(clientKeys, clientTrust);

    try (TlsLoopback server = TlsLoopback.start(serverContext, true)) {
      assertThat(Fingerprint.of(server.connect(clientContext))).isEqualTo(Fingerprint.of(server1.chain().get(0)));

      // Move both sides to another CA: trust first (old and new during the overlap), then certificates.
      List<X509Certificate> both = List.of(caA.ca().chain().get(0), caB.ca().chain().get(0));
      assertThat(serverTrust.update(both)).isTrue();
      assertThat(clientTrust.update(both)).isTrue();
      Leaf server2 = leaf(caB, "server", KeyAlgorithm.EC_P384);
      Leaf client2 = leaf(caB, "client", KeyAlgorithm.RSA_2048);
      assertThat(serverKeys.update(server2.keys().getPrivate(), server2.chain())).isTrue();
      assertThat(clientKeys.update(client2.keys().getPrivate(), client2.chain())).isTrue();
      assertThat(Fingerprint.of(server.connect(clientContext))).isEqualTo(Fingerprint.of(server2.chain().get(0)));

      // Retire CA A: a client still presenting an A certificate is refused by the same running server.
      serverTrust.update(List.of(caB.ca().chain().get(0)));
      Leaf staleClient = leaf(caA, "stale", KeyAlgorithm.EC_P256);
      SSLContext stale = TlsContexts.sslContext(
          ReloadingX509KeyManager.of(staleClient.keys().getPrivate(), staleClient.chain()), clientTrust);
      assertThatThrownBy(() -> server.connect(stale)).isInstanceOf(java.io.IOException.class);
      assertThat(Fingerprint.of(server.connect(clientContext))).isEqualTo(Fingerprint.of(server2.chain().get(0)));
    }
  }

  @Test
  void contexts_dropTheirCachedSessions_whenAManagerChanges() throws Exception {
    Leaf server = leaf(caA, "server", KeyAlgorithm.EC_P256);
    ReloadingX509TrustManager trust = ReloadingX509TrustManager.of(caA.ca().trustBundle());
    SSLContext client = TlsContexts.sslContext(null, trust);
    try (TlsLoopback listener = TlsLoopback.start(
        TlsContexts.sslContext(ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain()), null), false)) {
      listener.connect(client, false);
      assertThat(java.util.Collections.list(client.getClientSessionContext().getIds())).isNotEmpty();
      trust.update(List.of(caA.ca().chain().get(0), caB.ca().chain().get(0)));
      assertThat(java.util.Collections.list(client.getClientSessionContext().getIds()))
          .allSatisfy(id -> assertThat(client.getClientSessionContext().getSession(id)).isNull());
    }
    assertThat(client.getClientSessionContext().getSessionTimeout()).isEqualTo(TlsContexts.SESSION_TIMEOUT_SECONDS);
  }

  @Test
  void sessionsAreDropped_whenOnlyTheSocketFactoryIsKept() throws Exception {
    Leaf server = leaf(caA, "server", KeyAlgorithm.EC_P256);
    ReloadingX509TrustManager trust = ReloadingX509TrustManager.of(caA.ca().trustBundle());
    SSLContext context = TlsContexts.sslContext(null, trust);
    javax.net.ssl.SSLSocketFactory factory = context.getSocketFactory();
    javax.net.ssl.SSLSessionContext sessions = context.getClientSessionContext();
    java.lang.ref.WeakReference<SSLContext> collected = new java.lang.ref.WeakReference<>(context);
    context = null;
    io.oneca.testkit.Await.until("the SSLContext object is collected", () -> {
      System.gc();
      return collected.get() == null;
    });
    try (TlsLoopback listener = TlsLoopback.start(
        TlsContexts.sslContext(ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain()), null), false);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket()) {
      socket.connect(listener.address(), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(42);
      assertThat(socket.getInputStream().read()).isEqualTo(42);
      assertThat(java.util.Collections.list(sessions.getIds()))
          .anySatisfy(id -> assertThat(sessions.getSession(id)).isNotNull());

      trust.update(List.of(caA.ca().chain().get(0), caB.ca().chain().get(0)));

      assertThat(java.util.Collections.list(sessions.getIds()))
          .allSatisfy(id -> assertThat(sessions.getSession(id)).isNull());
    }
  }

  @Test
  void onlyTheCertificateChanges_theNewCertificateIsServed() throws Exception {
    KeyPair sameKey = KeyPairs.generate(KeyAlgorithm.EC_P256, Providers.bouncyCastle(), new SecureRandom());
    Leaf first = leaf(caA, "server", sameKey);
    Leaf renewed = leaf(caA, "server", sameKey);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(first.keys().getPrivate(), first.chain());
    SSLContext client = TlsContexts.sslContext(null, ReloadingX509TrustManager.of(caA.ca().trustBundle()));
    try (TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(keys, null), false)) {
      assertThat(server.connect(client).getSerialNumber()).isEqualTo(first.chain().get(0).getSerialNumber());
      assertThat(keys.update(renewed.keys().getPrivate(), renewed.chain())).isTrue();
      assertThat(server.connect(client).getSerialNumber()).isEqualTo(renewed.chain().get(0).getSerialNumber());
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void everyKeyAlgorithm_handshakes(KeyAlgorithm algorithm) throws Exception {
    Leaf server = leaf(caA, "server", algorithm);
    SSLContext serverContext = TlsContexts.sslContext(
        ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain()), null);
    SSLContext client = TlsContexts.sslContext(null, ReloadingX509TrustManager.of(caA.ca().trustBundle()));
    try (TlsLoopback listener = TlsLoopback.start(serverContext, false)) {
      assertThat(listener.connect(client)).isEqualTo(server.chain().get(0));
    }
  }

  @Test
  void mismatchedPair_isRejected_andTheOldPairKeepsBeingServed() throws Exception {
    Leaf good = leaf(caA, "server", KeyAlgorithm.EC_P256);
    Leaf other = leaf(caA, "other", KeyAlgorithm.EC_P256);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(good.keys().getPrivate(), good.chain());
    String alias = keys.currentAlias().orElseThrow();

    assertThatThrownBy(() -> keys.update(other.keys().getPrivate(), good.chain()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not match");
    assertThatThrownBy(() -> keys.update(good.keys().getPrivate(), List.of(good.chain().get(0), caB.ca().chain().get(0))))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not signed by the next");
    assertThat(keys.currentAlias()).contains(alias);
    SSLContext client = TlsContexts.sslContext(null, ReloadingX509TrustManager.of(caA.ca().trustBundle()));
    try (TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(keys, null), false)) {
      assertThat(server.connect(client)).isEqualTo(good.chain().get(0));
    }
  }

  @Test
  void sameContent_isNoChange_andThePreviousAliasStaysResolvable() {
    Leaf first = leaf(caA, "server", KeyAlgorithm.EC_P256);
    Leaf second = leaf(caA, "server", KeyAlgorithm.EC_P256);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(first.keys().getPrivate(), first.chain());
    String firstAlias = keys.currentAlias().orElseThrow();
    assertThat(keys.update(first.keys().getPrivate(), first.chain())).isFalse();
    assertThat(keys.currentAlias()).contains(firstAlias);

    assertThat(keys.update(second.keys().getPrivate(), second.chain())).isTrue();
    assertThat(keys.currentAlias()).isNotEqualTo(java.util.Optional.of(firstAlias));
    assertThat(keys.getPrivateKey(firstAlias)).as("in-flight handshakes still resolve the previous alias").isNotNull();
    assertThat(keys.getCertificateChain(firstAlias)[0]).isEqualTo(first.chain().get(0));
    assertThat(keys.chooseServerAlias("EC", null, null)).isEqualTo(keys.currentAlias().orElseThrow());
    assertThat(keys.chooseServerAlias("RSA", null, null)).isNull();
  }

  @Test
  void trustManager_sameAnchorsInAnyOrder_isNoChange() {
    ReloadingX509TrustManager trust = ReloadingX509TrustManager.of(
        List.of(caA.ca().chain().get(0), caB.ca().chain().get(0)));
    assertThat(trust.update(List.of(caB.ca().chain().get(0), caA.ca().chain().get(0)))).isFalse();
    assertThatThrownBy(() -> trust.update(List.of())).isInstanceOf(InvalidRequestException.class);
    assertThat(trust.anchors()).hasSize(2);
  }

  @Test
  void contextWithoutTrustManager_trustsNoServer() throws Exception {
    Leaf server = leaf(caA, "server", KeyAlgorithm.EC_P256);
    SSLContext noTrust = TlsContexts.sslContext(null, null);
    try (TlsLoopback listener = TlsLoopback.start(
        TlsContexts.sslContext(ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain()), null), false)) {
      assertThatThrownBy(() -> listener.connect(noTrust)).isInstanceOf(SSLException.class);
    }
  }

  @Test
  void factories_handOutTheReloadingManagers() throws Exception {
    Leaf server = leaf(caA, "server", KeyAlgorithm.EC_P256);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain());
    ReloadingX509TrustManager trust = ReloadingX509TrustManager.of(caA.ca().trustBundle());
    var kmf = TlsContexts.keyManagerFactory(keys);
    kmf.init(null, null);
    assertThat(kmf.getKeyManagers()).containsExactly(keys);
    var tmf = TlsContexts.trustManagerFactory(trust);
    tmf.init((java.security.KeyStore) null);
    assertThat(tmf.getTrustManagers()).containsExactly(trust);
  }

  @Test
  void export_pkcs12_roundTrips() throws Exception {
    Leaf leaf = leaf(caA, "server", KeyAlgorithm.EC_P256);
    char[] password = "changeit".toCharArray();
    byte[] p12 = IdentityExport.pkcs12("server", leaf.keys().getPrivate(), leaf.chain(), password);
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(new java.io.ByteArrayInputStream(p12), password);
    assertThat(store.getCertificate("server")).isEqualTo(leaf.chain().get(0));
    assertThat(store.getKey("server", password).getEncoded()).isEqualTo(leaf.keys().getPrivate().getEncoded());
    assertThat(IdentityExport.privateKeyPem(leaf.keys().getPrivate())).startsWith("-----BEGIN PRIVATE KEY-----");
  }
}
