package io.oneca.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.Fingerprint;
import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.testkit.Await;
import io.oneca.core.tls.TlsContexts;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real TLS handshakes through Netty on 127.0.0.1 with OneCA identities, across renewals. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaSslContextsTest {
  private TestCa ca;
  private TestCa otherCa;
  private ManagedIdentity server;
  private ManagedIdentity client;
  private NettyEcho echo;

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("CN=OneCA Netty Test CA");
    otherCa = new TestCa("CN=Some Other CA");
    server = ca.identity("server");
    client = ca.identity("client");
    echo = new NettyEcho(OneCaSslContexts.forServer(server).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    echo.close();
    ca.close();
    otherCa.close();
  }

  @Test
  void serverRenewal_isServedWithoutRebuildingTheServerContext() throws Exception {
    X509Certificate first = server.current().certificate();
    assertThat(echo.connect(OneCaSslContexts.forClient(client).build()).serverCertificate()).isEqualTo(first);

    X509Certificate renewed = server.renewNow().certificate();

    assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(echo.connect(OneCaSslContexts.forClient(client).build()).serverCertificate()).isEqualTo(renewed);
  }

  @Test
  void clientRenewal_dropsTheClientsSessions_soItsNextHandshakeIsFull() throws Exception {
    SslContext oneCaClient = OneCaSslContexts.forClient(client).build();
    SslContext plainClient = plainNettyClient(client);
    X509Certificate firstServer = server.current().certificate();
    X509Certificate firstClient = client.current().certificate();
    assertThat(echo.connect(oneCaClient).serverCertificate()).isEqualTo(firstServer);
    assertThat(echo.lastClientCertificate()).contains(firstClient);
    assertThat(echo.connect(plainClient).serverCertificate()).isEqualTo(firstServer);

    X509Certificate renewedServer = server.renewNow().certificate();
    X509Certificate renewedClient = client.renewNow().certificate();

    assertThat(echo.connect(oneCaClient).serverCertificate()).isEqualTo(renewedServer);
    assertThat(echo.lastClientCertificate()).contains(renewedClient);
    // A Netty context that keeps its session cache cannot resume either: the server's context of the
    // old revision issued its ticket, so both sides see the renewed certificates (issue 21.6).
    assertThat(echo.connect(plainClient).serverCertificate()).isEqualTo(renewedServer);
    assertThat(echo.lastClientCertificate()).contains(renewedClient);
  }

  @Test
  void caChange_bothSidesReissue_oldCaCertificatesAreRefused_andOldSessionsDoNotResume() throws Exception {
    SslContext oneCaClient = OneCaSslContexts.forClient(client).build();
    SslContext plainClient = plainNettyClient(client);
    IdentitySnapshot oldClient = client.current();
    X509Certificate oldServer = server.current().certificate();
    echo.connect(oneCaClient);
    echo.connect(plainClient);

    Fingerprint newCa = ca.forceRotation();
    Await.until("both identities re-issued from the new CA", Duration.ofSeconds(20),
        () -> server.current().caFingerprint().equals(newCa) && client.current().caFingerprint().equals(newCa));

    NettyEcho.Seen seen = echo.connect(oneCaClient);
    assertThat(seen.serverCertificate()).isEqualTo(server.current().certificate());
    assertThat(Fingerprint.of(seen.serverCertificate())).isNotEqualTo(Fingerprint.of(oldServer));
    assertThat(seen.serverCertificate().getIssuerX500Principal()).isNotEqualTo(oldServer.getIssuerX500Principal());
    assertThat(echo.lastClientCertificate()).contains(client.current().certificate());

    SslContext oldCaClient = OneCaSslContexts.forClient(client.trustManager())
        .keyManager(ReloadingX509KeyManager.of(oldClient.privateKey(), oldClient.chain())).build();
    assertThatThrownBy(() -> echo.connect(oldCaClient)).as("a client certificate of the replaced CA")
        .isInstanceOf(Exception.class);
    // A peer that kept a session from before the change cannot resume it (issue 21.6).
    assertThat(echo.connect(plainClient).serverCertificate()).isEqualTo(server.current().certificate());
  }

  /** Issue 21.6, without -Djdk.tls.server.enableSessionTicketExtension=false: only the server renews. */
  @Test
  void serverRenewal_plainClientThatKeepsItsSessions_seesTheNewCertificate() throws Exception {
    SslContext plainClient = plainNettyClient(client);
    X509Certificate first = server.current().certificate();
    NettyEcho.Seen initial = echo.connect(plainClient);
    assertThat(initial.serverCertificate()).isEqualTo(first);
    assertThat(echo.connect(plainClient).session().getCreationTime())
        .as("control: without a change the plain client resumes its session")
        .isEqualTo(initial.session().getCreationTime());

    X509Certificate renewed = server.renewNow().certificate();

    NettyEcho.Seen after = echo.connect(plainClient);
    assertThat(after.serverCertificate()).isEqualTo(renewed).isNotEqualTo(first);
    assertThat(after.session().getCreationTime()).isNotEqualTo(initial.session().getCreationTime());
  }

  @Test
  void mutualTls_refusesClientsWithoutACertificateOfThisCa() throws Exception {
    ManagedIdentity stranger = otherCa.identity("stranger");
    SslContext foreignCertificate = OneCaSslContexts.forClient(server.trustManager())
        .keyManager(stranger.keyManager()).build();
    SslContext noCertificate = OneCaSslContexts.forClient(server.trustManager()).build();

    assertThatThrownBy(() -> echo.connect(foreignCertificate)).isInstanceOf(Exception.class);
    assertThatThrownBy(() -> echo.connect(noCertificate)).isInstanceOf(Exception.class);
    try (NettyEcho open = new NettyEcho(OneCaSslContexts.forServer(server).clientAuth(ClientAuth.NONE).build())) {
      assertThat(open.connect(noCertificate).serverCertificate()).isEqualTo(server.current().certificate());
    }
  }

  @Test
  void client_refusesAServerOfAnotherCa() throws Exception {
    ManagedIdentity stranger = otherCa.identity("stranger");
    try (NettyEcho foreign = new NettyEcho(OneCaSslContexts.forServer(stranger).clientAuth(ClientAuth.NONE).build())) {
      assertThatThrownBy(() -> foreign.connect(OneCaSslContexts.forClient(client).build()))
          .hasMessageContaining("handshake failed");
    }
  }

  @Test
  void builder_validatesAndStatesItsDefaults() {
    assertThat(OneCaSslContexts.forServer(server).build().sessionTimeout())
        .isEqualTo(TlsContexts.SESSION_TIMEOUT_SECONDS);
    assertThat(OneCaSslContexts.forClient(client).sessionTimeout(Duration.ofMinutes(5)).build().sessionTimeout())
        .isEqualTo(300);
    assertThatThrownBy(() -> OneCaSslContexts.forServer(server.keyManager()).clientAuth(ClientAuth.REQUIRE).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("clientAuth");
    assertThatThrownBy(() -> OneCaSslContexts.forServer(server).clientAuth(ClientAuth.NONE).clientAuth(ClientAuth.REQUIRE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> OneCaSslContexts.forClient(client).sessionTimeout(Duration.ofMillis(10)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("sessionTimeout");
    assertThatThrownBy(() -> OneCaSslContexts.forClient(client).trustManager(server.trustManager()))
        .isInstanceOf(IllegalStateException.class);
  }

  private static SslContext plainNettyClient(ManagedIdentity identity) throws Exception {
    return SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .keyManager(TlsContexts.keyManagerFactory(identity.keyManager()))
        .trustManager(TlsContexts.trustManagerFactory(identity.trustManager()))
        .build();
  }
}
