package io.oneca.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.TlsContexts;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code -Djdk.tls.server.enableSessionTicketExtension=false} (no longer needed, still supported)
 * the JDK server keeps sessions in its own cache; a OneCA server context starts a new one on a renewal,
 * so even a client that never drops its sessions makes a full handshake. Runs in its own surefire
 * execution with that property (see the pom); skipped in the default one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatefulServerSessionsTest {
  @Test
  void serverRenewal_plainClientCannotResume_whenServerSessionsAreStateful() throws Exception {
    assumeTrue("false".equals(System.getProperty("jdk.tls.server.enableSessionTicketExtension")),
        "needs -Djdk.tls.server.enableSessionTicketExtension=false (the stateful-server-sessions execution)");
    try (TestCa ca = new TestCa("CN=OneCA Netty Test CA")) {
      ManagedIdentity server = ca.identity("server");
      ManagedIdentity client = ca.identity("client");
      SslContext plainClient = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .keyManager(TlsContexts.keyManagerFactory(client.keyManager()))
          .trustManager(TlsContexts.trustManagerFactory(client.trustManager())).build();
      try (NettyEcho echo = new NettyEcho(OneCaSslContexts.forServer(server).build())) {
        X509Certificate first = server.current().certificate();
        assertThat(echo.connect(plainClient).serverCertificate()).isEqualTo(first);
        assertThat(echo.connect(plainClient).session().getCreationTime())
            .as("the second connection resumed: sessions are cached")
            .isEqualTo(echo.connect(plainClient).session().getCreationTime());

        X509Certificate renewed = server.renewNow().certificate();

        assertThat(echo.connect(plainClient).serverCertificate()).isEqualTo(renewed).isNotEqualTo(first);
      }
    }
  }
}
