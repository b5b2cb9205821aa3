package io.oneca.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** Test support: a TLS echo-one-byte server on a free loopback port, and a client that reports the peer. */
public final class TlsLoopback implements AutoCloseable {
  private final SSLServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger handshakes = new AtomicInteger();

  private TlsLoopback(SSLServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "tls-loopback-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a server on 127.0.0.1 with a free port. */
  public static TlsLoopback start(SSLContext context, boolean needClientAuth) throws IOException {
    SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    socket.setNeedClientAuth(needClientAuth);
    return new TlsLoopback(socket);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  /** Handshakes completed by the server. */
  public int handshakes() {
    return handshakes.get();
  }

  /**
   * Connects, completes a full handshake and a one-byte exchange; returns the server's leaf
   * certificate. The session is invalidated afterwards so the next call is a full handshake too (a
   * resumed session would report the certificate of its original handshake).
   */
  public X509Certificate connect(SSLContext client) throws IOException {
    return connect(client, true);
  }

  /** Like {@link #connect(SSLContext)}, but leaves the session cached for resumption if asked. */
  public X509Certificate connect(SSLContext client, boolean invalidateSession) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.connect(address(), 5_000);
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(42);
      out.flush();
      InputStream in = socket.getInputStream();
      int reply = in.read();
      if (reply != 42) {
        throw new IOException("the server closed the connection instead of echoing (got " + reply + ")");
      }
      X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      if (invalidateSession) {
        socket.getSession().invalidate();
      }
      return peer;
    }
  }

  /** What a client saw on one connection: the server's leaf and when its session was created. */
  public record Seen(X509Certificate serverCertificate, long sessionCreationTime, String protocol) {}

  /**
   * Connects, handshakes, exchanges one byte, and reports what the client saw; the session stays in
   * the client's cache, so the next call with the same context may resume it (a resumed session keeps
   * the creation time of its original handshake).
   */
  public Seen connectAndReport(SSLContext client) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.connect(address(), 5_000);
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      socket.getOutputStream().write(42);
      socket.getOutputStream().flush();
      int reply = socket.getInputStream().read();
      if (reply != 42) {
        throw new IOException("the server closed the connection instead of echoing (got " + reply + ")");
      }
      javax.net.ssl.SSLSession session = socket.getSession();
      return new Seen((X509Certificate) session.getPeerCertificates()[0], session.getCreationTime(), session.getProtocol());
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        SSLSocket socket = (SSLSocket) server.accept();
        Thread handler = new Thread(() -> serve(socket), "tls-loopback-conn");
        handler.setDaemon(true);
        handler.start();
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        // the next accept may work; a failing test reports the client's error
      }
    }
  }

  private void serve(SSLSocket socket) {
    try (socket) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      handshakes.incrementAndGet();
      int value = socket.getInputStream().read();
      socket.getOutputStream().write(value);
      socket.getOutputStream().flush();
    } catch (IOException e) {
      // handshake refused: the client sees it
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
