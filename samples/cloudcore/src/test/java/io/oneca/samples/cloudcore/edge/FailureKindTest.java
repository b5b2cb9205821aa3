package io.oneca.samples.cloudcore.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every handshake that fails because of trust counts as {@link FailureKind#CERTIFICATE_OR_TRUST},
 * whichever side refused and however the refusal reached the edge (issue 20: edges locked out by an
 * unrelated CA were counted as REPLICA_UNAVAILABLE).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailureKindTest {
  private static final int HANDSHAKES = 40;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private ManagedIdentity identity(String name) {
    InMemoryStore store = InMemoryStore.create();
    closeables.add(store);
    OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().caSubject("CN=" + name).build();
    closeables.add(oneCa);
    oneCa.start();
    return oneCa.identity(IdentitySpec.builder(name).dnsName("localhost").build());
  }

  /** A hub-like server: requires a client certificate from its CA, answers one HTTP request per connection. */
  private InetSocketAddress serve(SSLContext context) throws IOException {
    SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    closeables.add(server);
    Thread thread = new Thread(() -> {
      while (!server.isClosed()) {
        try (SSLSocket socket = (SSLSocket) server.accept()) {
          socket.setSoTimeout(5_000);
          socket.startHandshake();
          InputStream in = socket.getInputStream();
          while (in.read() != '\n') {
            // the request line is enough
          }
          OutputStream out = socket.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException | RuntimeException e) {
          // A refused handshake: the client must say why.
        }
      }
    }, "failure-kind-server");
    thread.setDaemon(true);
    thread.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private Map<FailureKind, Integer> kinds(SSLContext client, InetSocketAddress address) {
    Map<FailureKind, Integer> kinds = new EnumMap<>(FailureKind.class);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < HANDSHAKES; i++) {
      try {
        TinyHttps.exchange(client, address, "GET", "/v1/hub/ping", null, Duration.ofSeconds(5));
        kinds.merge(FailureKind.BAD_ANSWER, 1, Integer::sum);
      } catch (IOException | RuntimeException e) {
        kinds.merge(FailureKind.of(e), 1, Integer::sum);
        if (FailureKind.of(e) != FailureKind.CERTIFICATE_OR_TRUST && seen.size() < 3) {
          seen.add(e.toString());
        }
      }
    }
    assertThat(seen).as("failures not classified as trust").isEmpty();
    return kinds;
  }

  @Test
  void serverCertificateFromAnUnknownCa_isATrustFailure_everyTime() throws Exception {
    ManagedIdentity replica = identity("replica-ca");
    ManagedIdentity edge = identity("edge-ca");
    InetSocketAddress address = serve(replica.sslContext());

    assertThat(kinds(TlsContexts.sslContext(new PresentingKeyManager(edge.keyManager()), edge.trustManager()), address)).containsExactly(Map.entry(FailureKind.CERTIFICATE_OR_TRUST, HANDSHAKES));
  }

  @Test
  void clientCertificateRefusedByTheServer_isATrustFailure_everyTime() throws Exception {
    ManagedIdentity replica = identity("replica-ca");
    ManagedIdentity edge = identity("edge-ca");
    InetSocketAddress address = serve(replica.sslContext());
    // The edge trusts the replica's CA (it has the new bundle) but still holds a certificate of the old CA.
    SSLContext client = TlsContexts.sslContext(new PresentingKeyManager(edge.keyManager()), replica.trustManager());

    assertThat(kinds(client, address)).containsExactly(Map.entry(FailureKind.CERTIFICATE_OR_TRUST, HANDSHAKES));
  }

  @Test
  void causeChains_namingCertPathValidation_areTrustFailures_resetsWithoutOne_areNot() {
    assertThat(FailureKind.of(new SSLHandshakeException("handshake failed")
        .initCause(new CertPathValidatorException("Path does not chain with any of the trust anchors"))))
        .isEqualTo(FailureKind.CERTIFICATE_OR_TRUST);
    assertThat(FailureKind.of(new IOException("x509: certificate signed by unknown authority")))
        .isEqualTo(FailureKind.CERTIFICATE_OR_TRUST);
    assertThat(FailureKind.of(new SocketException("Connection reset"))).isEqualTo(FailureKind.REPLICA_UNAVAILABLE);
    assertThat(FailureKind.of(new java.net.ConnectException("Connection refused")))
        .isEqualTo(FailureKind.REPLICA_UNAVAILABLE);
  }
}
