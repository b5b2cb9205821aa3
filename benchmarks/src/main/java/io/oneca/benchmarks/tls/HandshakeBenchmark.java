package io.oneca.benchmarks.tls;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full mutual-TLS 1.3 handshakes (P-256 certificates, no resumption) between two in-memory
 * {@link SSLEngine}s, with the JDK's own key and trust managers ({@code static}) or OneCA's
 * reloading managers ({@code reloading}). The goal is a ratio of at least 0.98.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBenchmark {

  @Param({"static", "reloading"})
  public String managers;

  private InMemoryStore store;
  private OneCa ca;
  private SSLContext serverContext;
  private SSLContext clientContext;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    store = InMemoryStore.create();
    ca = OneCa.builder().allowPlaintextCaKey().store(store).build();
    ca.start();
    Identity server = issue("server");
    Identity client = issue("client");
    List<X509Certificate> anchors = ca.ca().trustBundle();
    if (managers.equals("static")) {
      serverContext = staticContext(server, anchors);
      clientContext = staticContext(client, anchors);
    } else {
      serverContext = TlsContexts.sslContext(ReloadingX509KeyManager.of(server.keys().getPrivate(), server.chain()),
          ReloadingX509TrustManager.of(anchors));
      clientContext = TlsContexts.sslContext(ReloadingX509KeyManager.of(client.keys().getPrivate(), client.chain()),
          ReloadingX509TrustManager.of(anchors));
    }
    handshake();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ca.close();
    store.close();
  }

  /** One full handshake; returns the negotiated protocol so the work is not dead code. */
  @Benchmark
  public String handshake() throws SSLException {
    SSLEngine client = clientContext.createSSLEngine();
    client.setUseClientMode(true);
    SSLEngine server = serverContext.createSSLEngine();
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    return Handshakes.run(client, server);
  }

  private record Identity(KeyPair keys, List<X509Certificate> chain) {}

  private Identity issue(String name) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    IssuedCertificate issued = ca.issue(CertificateRequest.fromPublicKey(keys.getPublic()).commonName(name)
        .dnsName("localhost").profile(CertificateProfile.SERVER_AND_CLIENT).build());
    return new Identity(keys, issued.chain());
  }

  private static SSLContext staticContext(Identity identity, List<X509Certificate> anchors) throws Exception {
    char[] password = "benchmark".toCharArray();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("id", identity.keys().getPrivate(), password,
        identity.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore, password);
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    for (int i = 0; i < anchors.size(); i++) {
      trustStore.setCertificateEntry("anchor-" + i, anchors.get(i));
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
    trustManagers.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }

  /** Pumps records between two engines until both finish the handshake. */
  static final class Handshakes {
    private Handshakes() {}

    static String run(SSLEngine client, SSLEngine server) throws SSLException {
      int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
      ByteBuffer clientToServer = ByteBuffer.allocate(size * 4);
      ByteBuffer serverToClient = ByteBuffer.allocate(size * 4);
      ByteBuffer empty = ByteBuffer.allocate(0);
      ByteBuffer sink = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
      client.beginHandshake();
      server.beginHandshake();
      for (int step = 0; step < 1000; step++) {
        boolean clientDone = step(client, empty, clientToServer, serverToClient, sink);
        boolean serverDone = step(server, empty, serverToClient, clientToServer, sink);
        if (clientDone && serverDone) {
          return client.getSession().getProtocol();
        }
      }
      throw new SSLException("handshake did not finish within 1000 steps");
    }

    private static boolean step(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
        throws SSLException {
      HandshakeStatus status = engine.getHandshakeStatus();
      switch (status) {
        case NEED_WRAP -> engine.wrap(empty, out);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          engine.unwrap(in, sink);
          in.compact();
          sink.clear();
        }
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case FINISHED, NOT_HANDSHAKING -> {
          return true;
        }
        default -> throw new SSLException("unexpected handshake status " + status);
      }
      return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
          || engine.getHandshakeStatus() == HandshakeStatus.FINISHED;
    }
  }
}
