package io.oneca.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The engine of {@link TlsContexts#sslContext}: one JDK {@code SSLContext} per revision of the
 * reloading managers, built when an engine or socket is first asked for after a change. A TLS 1.3
 * session ticket is encrypted with keys that belong to the JDK context that issued it, so a ticket
 * from an earlier revision cannot be decrypted by the current context and the peer gets a full
 * handshake with the current certificate (issue 21.6); cached sessions stay with their revision too.
 * Every engine and socket gets {@link TlsDefaults}. Thread-safe: the current revision is a volatile
 * read and a comparison on the handshake path; a rebuild takes a lock.
 */
final class RevisionedSslContextSpi extends SSLContextSpi {
  /** What the managers served: the key manager's alias (new per revision), the anchor list's identity. */
  private record Revision(String keyAlias, List<?> anchors) {
    static Revision of(X509KeyManager keyManager, X509TrustManager trustManager) {
      return new Revision(
          keyManager instanceof ReloadingX509KeyManager reloading ? reloading.currentAlias().orElse(null) : null,
          trustManager instanceof ReloadingX509TrustManager reloading ? reloading.anchors() : null);
    }

    boolean sameAs(Revision other) {
      return Objects.equals(keyAlias, other.keyAlias) && anchors == other.anchors;
    }
  }

  private record Generation(Revision revision, SSLContext context) {}

  private final X509KeyManager keyManager;
  private final X509TrustManager trustManager;
  private final Supplier<SSLContext> factory;
  private final SessionSettings clientSessions = new SessionSettings(true);
  private final SessionSettings serverSessions = new SessionSettings(false);
  private volatile Generation current;

  RevisionedSslContextSpi(X509KeyManager keyManager, X509TrustManager trustManager, Supplier<SSLContext> factory) {
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.factory = factory;
    this.current = new Generation(Revision.of(keyManager, trustManager), build());
  }

  private SSLContext build() {
    SSLContext context = factory.get();
    clientSessions.applyTo(context.getClientSessionContext());
    serverSessions.applyTo(context.getServerSessionContext());
    return context;
  }

  /** Returns the context of the managers' current revision, building it on the first use after a change. */
  SSLContext context() {
    Generation generation = current;
    Revision now = Revision.of(keyManager, trustManager);
    if (generation.revision().sameAs(now)) {
      return generation.context();
    }
    synchronized (this) {
      generation = current;
      if (!generation.revision().sameAs(now)) {
        generation = new Generation(now, build());
        current = generation;
      }
      return generation.context();
    }
  }

  SSLParameters defaults(SSLParameters parameters) {
    return TlsDefaults.applyTo(parameters, current.context().getSupportedSSLParameters());
  }

  @Override
  protected void engineInit(KeyManager[] keyManagers, TrustManager[] trustManagers, SecureRandom random) {
    throw new IllegalStateException("a OneCA SSLContext is initialized when it is built; create another with TlsContexts");
  }

  @Override
  protected SSLSocketFactory engineGetSocketFactory() {
    return new SocketFactory();
  }

  @Override
  protected SSLServerSocketFactory engineGetServerSocketFactory() {
    return new ServerSocketFactory();
  }

  @Override
  protected SSLEngine engineCreateSSLEngine() {
    SSLEngine engine = context().createSSLEngine();
    engine.setSSLParameters(defaults(engine.getSSLParameters()));
    return engine;
  }

  @Override
  protected SSLEngine engineCreateSSLEngine(String host, int port) {
    SSLEngine engine = context().createSSLEngine(host, port);
    engine.setSSLParameters(defaults(engine.getSSLParameters()));
    return engine;
  }

  @Override
  protected SSLSessionContext engineGetServerSessionContext() {
    return serverSessions;
  }

  @Override
  protected SSLSessionContext engineGetClientSessionContext() {
    return clientSessions;
  }

  @Override
  protected SSLParameters engineGetDefaultSSLParameters() {
    return defaults(context().getDefaultSSLParameters());
  }

  @Override
  protected SSLParameters engineGetSupportedSSLParameters() {
    return context().getSupportedSSLParameters();
  }

  private SSLSocket configured(Socket socket) {
    SSLSocket tls = (SSLSocket) socket;
    tls.setSSLParameters(defaults(tls.getSSLParameters()));
    return tls;
  }

  /**
   * The session cache of the current revision; settings made here apply to every later revision too.
   * Sessions of earlier revisions are not listed: they can no longer be resumed through this context.
   */
  private final class SessionSettings implements SSLSessionContext {
    private final boolean client;
    private volatile int timeoutSeconds = -1;
    private volatile int cacheSize = -1;

    SessionSettings(boolean client) {
      this.client = client;
    }

    private SSLSessionContext sessions() {
      SSLContext context = context();
      return client ? context.getClientSessionContext() : context.getServerSessionContext();
    }

    void applyTo(SSLSessionContext sessions) {
      if (timeoutSeconds >= 0) {
        sessions.setSessionTimeout(timeoutSeconds);
      }
      if (cacheSize >= 0) {
        sessions.setSessionCacheSize(cacheSize);
      }
    }

    @Override
    public SSLSession getSession(byte[] sessionId) {
      return sessions().getSession(sessionId);
    }

    @Override
    public Enumeration<byte[]> getIds() {
      return sessions().getIds();
    }

    @Override
    public void setSessionTimeout(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("seconds must not be negative, was " + seconds);
      }
      synchronized (RevisionedSslContextSpi.this) {
        timeoutSeconds = seconds;
        sessions().setSessionTimeout(seconds);
      }
    }

    @Override
    public int getSessionTimeout() {
      return sessions().getSessionTimeout();
    }

    @Override
    public void setSessionCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative, was " + size);
      }
      synchronized (RevisionedSslContextSpi.this) {
        cacheSize = size;
        sessions().setSessionCacheSize(size);
      }
    }

    @Override
    public int getSessionCacheSize() {
      return sessions().getSessionCacheSize();
    }
  }

  /** Client sockets of the current revision, with {@link TlsDefaults}. */
  private final class SocketFactory extends SSLSocketFactory {
    private SSLSocketFactory delegate() {
      return context().getSocketFactory();
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return defaults(new SSLParameters()).getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return configured(delegate().createSocket());
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      return configured(delegate().createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
      return configured(delegate().createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configured(delegate().createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return configured(delegate().createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configured(delegate().createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return configured(delegate().createSocket(address, port, localAddress, localPort));
    }
  }

  /** Server sockets whose accepted connections each use the revision current at accept time. */
  private final class ServerSocketFactory extends SSLServerSocketFactory {
    @Override
    public String[] getDefaultCipherSuites() {
      return defaults(new SSLParameters()).getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return context().getSupportedSSLParameters().getCipherSuites();
    }

    @Override
    public java.net.ServerSocket createServerSocket() throws IOException {
      return new RevisionedServerSocket(RevisionedSslContextSpi.this);
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port) throws IOException {
      return new RevisionedServerSocket(RevisionedSslContextSpi.this, port, 50, null);
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return new RevisionedServerSocket(RevisionedSslContextSpi.this, port, backlog, null);
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      return new RevisionedServerSocket(RevisionedSslContextSpi.this, port, backlog, address);
    }
  }
}
