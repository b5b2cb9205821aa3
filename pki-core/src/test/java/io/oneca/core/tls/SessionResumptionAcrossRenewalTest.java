package io.oneca.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.KeyAlgorithm;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.ReloadingManagersTest.Leaf;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21.6: a client that keeps one {@code SSLContext} resumes its TLS 1.3 session (a stateless
 * ticket) after the server renewed, and was shown the old certificate until the session timeout. The
 * client here is a plain JDK context (not OneCA's), so nothing on its side drops the session.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionResumptionAcrossRenewalTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final OneCa ca = started(store);

  private static OneCa started(InMemoryStore store) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store).caSubject("CN=Resumption CA").build();
    oneCa.start();
    return oneCa;
  }

  @AfterEach
  void tearDown() {
    ca.close();
    store.close();
  }

  private SSLContext plainJdkClient() throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    int i = 0;
    for (X509Certificate root : ca.ca().trustBundle()) {
      anchors.setCertificateEntry("root-" + i++, root);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(anchors);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, trust.getTrustManagers(), null);
    return client;
  }

  @Test
  void resumingClient_afterServerRenewal_seesTheNewCertificate() throws Exception {
    Leaf before = ReloadingManagersTest.leaf(ca, "server", KeyAlgorithm.EC_P256);
    Leaf after = ReloadingManagersTest.leaf(ca, "server", KeyAlgorithm.EC_P256);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(before.keys().getPrivate(), before.chain());
    SSLContext client = plainJdkClient();

    try (TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(keys, null), false)) {
      TlsLoopback.Seen first = server.connectAndReport(client);
      TlsLoopback.Seen resumed = server.connectAndReport(client);
      assertThat(resumed.sessionCreationTime())
          .as("control: without a renewal the client resumes its session (same creation time)")
          .isEqualTo(first.sessionCreationTime());
      assertThat(first.serverCertificate()).isEqualTo(before.chain().get(0));

      keys.update(after.keys().getPrivate(), after.chain());
      TlsLoopback.Seen afterRenewal = server.connectAndReport(client);

      assertThat(afterRenewal.serverCertificate())
          .as("the connection after the renewal shows the new certificate, not the resumed session's")
          .isEqualTo(after.chain().get(0));
      assertThat(afterRenewal.sessionCreationTime()).isNotEqualTo(first.sessionCreationTime());
    }
  }

  @Test
  void resumingClient_afterServerKeepsOnlyTheCertificateButRenewsIt_seesTheNewCertificate() throws Exception {
    Leaf before = ReloadingManagersTest.leaf(ca, "server", KeyAlgorithm.EC_P256);
    Leaf sameKey = ReloadingManagersTest.leaf(ca, "server", before.keys());
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(before.keys().getPrivate(), before.chain());
    SSLContext client = plainJdkClient();

    try (TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(keys, null), false)) {
      server.connectAndReport(client);
      keys.update(sameKey.keys().getPrivate(), sameKey.chain());

      assertThat(server.connectAndReport(client).serverCertificate()).isEqualTo(sameKey.chain().get(0));
    }
  }
}
