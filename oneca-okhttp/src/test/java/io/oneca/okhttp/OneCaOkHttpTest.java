package io.oneca.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.testkit.Await;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OkHttp requests over real TLS (JDK HTTPS server on 127.0.0.1) with OneCA identities, across renewals. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaOkHttpTest {
  /** What one request saw: the server's leaf and the serial of the client certificate the server got. */
  private record Seen(BigInteger server, BigInteger client) {}

  private TestCa ca;
  private TestCa otherCa;
  private ManagedIdentity server;
  private ManagedIdentity client;
  private JdkHttpsServer https;

  @BeforeEach
  void setUp() throws IOException {
    ca = new TestCa("CN=OneCA OkHttp Test CA");
    otherCa = new TestCa("CN=Some Other CA");
    server = ca.identity("server");
    client = ca.identity("client");
    https = new JdkHttpsServer(server.sslContext(), true);
  }

  @AfterEach
  void tearDown() {
    https.close();
    ca.close();
    otherCa.close();
  }

  @Test
  void renewal_pooledConnectionKeepsItsHandshake_untilThePoolIsEvicted() throws IOException {
    OkHttpClient okHttp = OneCaOkHttp.configure(builder(), client).build();
    Seen before = current();
    assertThat(get(okHttp)).isEqualTo(before);

    server.renewNow();
    client.renewNow();
    Seen after = current();
    assertThat(after.server()).isNotEqualTo(before.server());
    assertThat(after.client()).isNotEqualTo(before.client());

    assertThat(get(okHttp)).as("a request on the pooled connection").isEqualTo(before);
    assertThat(okHttp.connectionPool().connectionCount()).isEqualTo(1);

    okHttp.connectionPool().evictAll();
    assertThat(get(okHttp)).as("the first request after eviction").isEqualTo(after);
  }

  @Test
  void evictConnectionsOnRenewal_nextRequestPresentsTheNewClientCertificate() throws Exception {
    OkHttpClient okHttp = OneCaOkHttp.configure(builder(), client).build();
    AutoCloseable eviction = OneCaOkHttp.evictConnectionsOnRenewal(okHttp, client);
    assertThat(get(okHttp)).isEqualTo(current());

    client.renewNow();

    assertThat(get(okHttp)).isEqualTo(current());
    eviction.close();
    client.renewNow();
    assertThat(get(okHttp).client()).as("eviction stopped after close").isNotEqualTo(current().client());
  }

  @Test
  void caChange_followingClientTrustsOnlyTheNewCa_andPresentsItsReissuedCertificate() throws Exception {
    OkHttpClient builtBefore = OneCaOkHttp.configure(builder(), client).build();
    IdentitySnapshot oldClient = client.current();
    try (OneCaOkHttpClient following = OneCaOkHttpClient.create(builder(), client)) {
      OkHttpClient first = following.get();
      assertThat(get(first)).isEqualTo(current());
      assertThat(get(builtBefore)).isEqualTo(current());

      Fingerprint newCa = ca.forceRotation();
      Await.until("both identities re-issued from the new CA", Duration.ofSeconds(20),
          () -> server.current().caFingerprint().equals(newCa) && client.current().caFingerprint().equals(newCa));
      // The renewal listeners run on OneCA's scheduler after the new certificate is published.
      Await.until("the client follows the new CA", Duration.ofSeconds(20), () -> following.get() != first);

      assertThat(get(following.get())).isEqualTo(current());
      try (Response response = following.get().newCall(new Request.Builder().url(https.url()).build()).execute()) {
        assertThat(response.handshake().peerCertificates()).first()
            .isEqualTo(server.current().certificate());
      }
      assertThat(following.get()).isNotSameAs(first);
      assertThat(following.get().connectionPool()).isSameAs(first.connectionPool());
      // OkHttp's caveat that OneCaOkHttpClient removes: a client built before the change cleans
      // the new chain with the old issuers, so it reports no peer certificates.
      builtBefore.connectionPool().evictAll();
      try (Response response = builtBefore.newCall(new Request.Builder().url(https.url()).build()).execute()) {
        assertThat(new BigInteger(response.body().string(), 16)).isEqualTo(current().client());
        assertThat(response.handshake().peerCertificates()).isEmpty();
      }
    }
    OkHttpClient oldCaClient = OneCaOkHttp.configure(builder(),
        ReloadingX509KeyManager.of(oldClient.privateKey(), oldClient.chain()), client.trustManager()).build();
    assertThatThrownBy(() -> get(oldCaClient)).as("a client certificate of the replaced CA")
        .isInstanceOf(IOException.class);
  }

  @Test
  void mutualTls_refusesClientsWithoutACertificateOfThisCa() throws IOException {
    ManagedIdentity stranger = otherCa.identity("stranger");
    OkHttpClient foreign = OneCaOkHttp.configure(builder(), stranger.keyManager(), server.trustManager()).build();
    OkHttpClient anonymous = OneCaOkHttp.configure(builder(), null, server.trustManager()).build();

    assertThatThrownBy(() -> get(foreign)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(anonymous)).isInstanceOf(IOException.class);
    try (JdkHttpsServer open = new JdkHttpsServer(server.sslContext(), false)) {
      try (Response response = anonymous.newCall(new Request.Builder().url(open.url()).build()).execute()) {
        assertThat(response.body().string()).isEqualTo("-");
      }
    }
  }

  @Test
  void client_refusesAServerOfAnotherCa() throws Exception {
    try (JdkHttpsServer foreign = new JdkHttpsServer(otherCa.identity("stranger").sslContext(), false)) {
      OkHttpClient okHttp = OneCaOkHttp.configure(builder(), client).build();
      assertThatThrownBy(() -> okHttp.newCall(new Request.Builder().url(foreign.url()).build()).execute())
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }

  @Test
  void customizer_configuresLikeConfigure() throws IOException {
    OkHttpClient.Builder builder = builder();
    OneCaOkHttp.customizer(client).accept(builder);
    assertThat(get(builder.build())).isEqualTo(current());
  }

  private static OkHttpClient.Builder builder() {
    return new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10));
  }

  private Seen current() {
    return new Seen(server.current().certificate().getSerialNumber(),
        client.current().certificate().getSerialNumber());
  }

  private Seen get(OkHttpClient okHttp) throws IOException {
    try (Response response = okHttp.newCall(new Request.Builder().url(https.url()).build()).execute()) {
      X509Certificate serverLeaf = (X509Certificate) response.handshake().peerCertificates().get(0);
      String body = response.body().string();
      return new Seen(serverLeaf.getSerialNumber(), body.equals("-") ? null : new BigInteger(body, 16));
    }
  }
}
