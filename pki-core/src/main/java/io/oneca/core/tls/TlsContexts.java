package io.oneca.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Turns reloading managers into what TLS stacks take: a JDK {@code SSLContext} (for
 * {@code HttpsServer}, {@code HttpClient}, sockets and engines), or a {@code KeyManagerFactory} and
 * {@code TrustManagerFactory} (for Netty's and gRPC's builders). The contexts hold the managers
 * themselves, so later updates of the managers apply to new handshakes without rebuilding anything.
 *
 * <p>Client authentication (mTLS) is a property of the server socket or engine:
 * {@code SSLParameters.setNeedClientAuth(true)}.
 *
 * <p>Protocols and cipher suites are {@link TlsDefaults}: TLS 1.3 and 1.2 only, ECDHE with AEAD
 * suites only, the server's order preferred, on every engine and socket the context creates.
 *
 * <p>TLS session resumption skips certificates: a client that resumes a session sees the server's
 * certificate of the original handshake, and a server accepts a resumed client without checking its
 * certificate against the new trust anchors. A context built by {@link #sslContext} therefore holds
 * one JDK context per revision of its reloading managers, created on the first handshake after a
 * change: TLS 1.3 session tickets are encrypted with keys of the JDK context that issued them, so a
 * ticket from before a renewal or a trust change no longer decrypts, and the peer gets a full
 * handshake with the current material; session caches stay with their revision, and are also
 * invalidated on a change. No JVM-wide flag ({@code jdk.tls.server.enableSessionTicketExtension}) is
 * needed. What remains: a connection that is already open keeps its session, and a handshake that had
 * started before the change finishes with the previous material. The session timeout of these
 * contexts is {@link #SESSION_TIMEOUT_SECONDS} (the JDK's default is 24 hours); a setting made on
 * {@code getServerSessionContext()} or {@code getClientSessionContext()} applies to later revisions
 * too.
 */
public final class TlsContexts {
  private static final String PROTOCOL = "TLS";

  /** The session timeout of contexts built here: one hour. */
  public static final int SESSION_TIMEOUT_SECONDS = 3600;

  private TlsContexts() {}

  /**
   * Returns a TLS context ({@link TlsDefaults}: TLS 1.3 and 1.2) that presents {@code keyManager}'s
   * material and trusts {@code trustManager}'s anchors, with a fresh JDK context per revision of the
   * managers (see the class description). {@code init} must not be called on it. Thread-safe.
   *
   * @param keyManager what to present; {@code null} for a client that presents no certificate
   * @param trustManager whom to trust; {@code null} for a server that does not authenticate clients
   * @return an initialised context
   */
  public static SSLContext sslContext(X509KeyManager keyManager, X509TrustManager trustManager) {
    RevisionedSslContextSpi spi = new RevisionedSslContextSpi(keyManager, trustManager,
        () -> jdkContext(keyManager, trustManager));
    SSLContext context = new SSLContext(spi, PROVIDER, PROTOCOL) {};
    context.getClientSessionContext().setSessionTimeout(SESSION_TIMEOUT_SECONDS);
    context.getServerSessionContext().setSessionTimeout(SESSION_TIMEOUT_SECONDS);
    return context;
  }

  /** One JDK context for one revision of the managers. */
  private static SSLContext jdkContext(X509KeyManager keyManager, X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance(PROTOCOL);
      context.init(
          keyManager == null ? null : new KeyManager[] {keyManager},
          trustManager == null ? new TrustManager[] {RejectingTrustManager.INSTANCE}
              : new TrustManager[] {trustManager},
          new SecureRandom());
      invalidateSessionsOnChange(context, keyManager, trustManager);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no usable " + PROTOCOL + " context", e);
    }
  }

  /**
   * Holds the session caches weakly, not {@code context}: a caller may keep only
   * {@code context.getSocketFactory()} (OkHttp, {@code HttpsURLConnection}), which references the
   * caches but not the {@code SSLContext} object itself.
   */
  private static void invalidateSessionsOnChange(SSLContext context, X509KeyManager keyManager,
      X509TrustManager trustManager) {
    java.lang.ref.WeakReference<javax.net.ssl.SSLSessionContext> client =
        new java.lang.ref.WeakReference<>(context.getClientSessionContext());
    java.lang.ref.WeakReference<javax.net.ssl.SSLSessionContext> server =
        new java.lang.ref.WeakReference<>(context.getServerSessionContext());
    Runnable[] self = new Runnable[1];
    self[0] = () -> {
      javax.net.ssl.SSLSessionContext clientSessions = client.get();
      javax.net.ssl.SSLSessionContext serverSessions = server.get();
      if (clientSessions == null && serverSessions == null) {
        if (keyManager instanceof ReloadingX509KeyManager reloading) {
          reloading.removeOnChange(self[0]);
        }
        if (trustManager instanceof ReloadingX509TrustManager reloading) {
          reloading.removeOnChange(self[0]);
        }
        return;
      }
      if (clientSessions != null) {
        invalidate(clientSessions);
      }
      if (serverSessions != null) {
        invalidate(serverSessions);
      }
    };
    if (keyManager instanceof ReloadingX509KeyManager reloading) {
      reloading.onChange(self[0]);
    }
    if (trustManager instanceof ReloadingX509TrustManager reloading) {
      reloading.onChange(self[0]);
    }
  }

  private static void invalidate(javax.net.ssl.SSLSessionContext sessions) {
    java.util.Enumeration<byte[]> ids = sessions.getIds();
    while (ids.hasMoreElements()) {
      javax.net.ssl.SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  /**
   * Returns a factory whose only key manager is {@code keyManager}.
   *
   * @param keyManager the (reloading) key manager
   * @return a factory whose {@code init} calls are ignored
   */
  public static KeyManagerFactory keyManagerFactory(X509KeyManager keyManager) {
    Objects.requireNonNull(keyManager, "keyManager");
    return new FixedKeyManagerFactory(keyManager);
  }

  /**
   * Returns a factory whose only trust manager is {@code trustManager}.
   *
   * @param trustManager the (reloading) trust manager
   * @return a factory whose {@code init} calls are ignored
   */
  public static TrustManagerFactory trustManagerFactory(X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    return new FixedTrustManagerFactory(trustManager);
  }

  private static final Provider PROVIDER = new OneCaTlsProvider();

  /** Names the factories' provider; registers no algorithms. */
  private static final class OneCaTlsProvider extends Provider {
    private static final long serialVersionUID = 1L;

    OneCaTlsProvider() {
      super("OneCA-TLS", "1.0", "OneCA reloading key and trust managers");
    }
  }

  private static final class FixedKeyManagerFactory extends KeyManagerFactory {
    FixedKeyManagerFactory(X509KeyManager keyManager) {
      super(new KeyManagerFactorySpi() {
        @Override
        protected void engineInit(KeyStore keyStore, char[] password) {}

        @Override
        protected void engineInit(ManagerFactoryParameters parameters) {}

        @Override
        protected KeyManager[] engineGetKeyManagers() {
          return new KeyManager[] {keyManager};
        }
      }, PROVIDER, "OneCA");
    }
  }

  private static final class FixedTrustManagerFactory extends TrustManagerFactory {
    FixedTrustManagerFactory(X509TrustManager trustManager) {
      super(new TrustManagerFactorySpi() {
        @Override
        protected void engineInit(KeyStore keyStore) {}

        @Override
        protected void engineInit(ManagerFactoryParameters parameters) {}

        @Override
        protected TrustManager[] engineGetTrustManagers() {
          return new TrustManager[] {trustManager};
        }
      }, PROVIDER, "OneCA");
    }
  }
}
