package io.oneca.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Fingerprint;
import io.oneca.core.ManagedIdentity;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/**
 * A real Spring Boot application with embedded Tomcat on 127.0.0.1 and {@code server.ssl.bundle=oneca}:
 * a TLS handshake sees OneCA's identity, and after a renewal the next new handshake sees the new
 * certificate without a restart, even from a client that caches sessions and tries to resume.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OneCaWebServerTest {
  @TempDir
  Path temp;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void embeddedTomcat_servesTheIdentity_andARenewalOnTheNextHandshake() throws Exception {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Path kek = Files.writeString(temp.resolve("kek"), Base64.getEncoder().encodeToString(key));
    Path store = Files.createDirectory(temp.resolve("store"));
    SpringApplication application = new SpringApplication(App.class);
    application.setWebApplicationType(WebApplicationType.SERVLET);
    try (ServletWebServerApplicationContext context = (ServletWebServerApplicationContext) application.run(
        "--server.port=0",
        "--server.address=127.0.0.1",
        "--server.ssl.bundle=oneca",
        "--oneca.store=" + store.toUri(),
        "--oneca.key-encryption-key.file=" + kek,
        "--oneca.identity.name=web",
        "--oneca.identity.ip-addresses=127.0.0.1",
        "--oneca.identity.dns-names=localhost")) {
      int port = context.getWebServer().getPort();
      ManagedIdentity identity = context.getBean(ManagedIdentity.class);
      SSLContext client = clientTrusting(identity.current().trustBundle());

      X509Certificate first = handshake(client, port);
      assertThat(Fingerprint.of(first)).isEqualTo(identity.current().fingerprint());
      assertThat(Fingerprint.of(handshake(client, port))).as("same certificate while nothing changed")
          .isEqualTo(Fingerprint.of(first));

      X509Certificate renewed = identity.renewNow().certificate();
      assertThat(Fingerprint.of(renewed)).isNotEqualTo(Fingerprint.of(first));

      X509Certificate served = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      do {
        served = handshake(client, port);
      } while (!Fingerprint.of(served).equals(Fingerprint.of(renewed)) && System.nanoTime() < deadline);
      assertThat(Fingerprint.of(served)).as("the renewed certificate is served by new handshakes")
          .isEqualTo(Fingerprint.of(renewed));
      assertThat(Fingerprint.of(handshake(client, port))).isEqualTo(Fingerprint.of(renewed));
    }
  }

  /** A plain JDK client context (nothing of OneCA's), with the JDK's client session cache. */
  private static SSLContext clientTrusting(java.util.List<X509Certificate> anchors) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < anchors.size(); i++) {
      trust.setCertificateEntry("ca-" + i, anchors.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static X509Certificate handshake(SSLContext client, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return (X509Certificate) chain[0];
    }
  }
}
