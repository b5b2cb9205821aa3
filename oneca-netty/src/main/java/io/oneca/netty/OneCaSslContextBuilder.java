package io.oneca.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.oneca.api.InvalidRequestException;
import io.oneca.core.tls.TlsContexts;
import io.oneca.core.tls.TlsDefaults;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Configures a Netty {@link SslContext} on OneCA's managers. Obtain one from
 * {@link OneCaSslContexts}; each setter may be called once and validates its argument.
 *
 * <p>The context always uses Netty's JDK provider ({@link SslProvider#JDK}): it calls the key
 * manager at every full handshake, so renewals apply, and its session cache is a JDK
 * {@code SSLSessionContext} that this adapter can invalidate.
 */
public final class OneCaSslContextBuilder {
  /** The default session lifetime: {@link TlsContexts#SESSION_TIMEOUT_SECONDS} (one hour). */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(TlsContexts.SESSION_TIMEOUT_SECONDS);

  private final boolean client;
  private X509KeyManager keyManager;
  private X509TrustManager trustManager;
  private ClientAuth clientAuth;
  private Duration sessionTimeout;
  private Consumer<SslContextBuilder> customizer;

  OneCaSslContextBuilder(boolean client, X509KeyManager keyManager, X509TrustManager trustManager) {
    this.client = client;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
  }

  /**
   * Sets the key manager of a client context built by {@link OneCaSslContexts#forClient(X509TrustManager)}:
   * the certificate it presents when a server asks for one. Default: none (no client certificate).
   *
   * @throws IllegalStateException if this is a server context or a key manager was already set
   */
  public OneCaSslContextBuilder keyManager(X509KeyManager keyManager) {
    Objects.requireNonNull(keyManager, "keyManager");
    requireState(client, "keyManager(...) is for client contexts; a server context has its key manager already");
    requireState(this.keyManager == null, "keyManager was already set");
    this.keyManager = keyManager;
    return this;
  }

  /**
   * Sets the trust manager of a server context built by {@link OneCaSslContexts#forServer(X509KeyManager)}:
   * the anchors client certificates must chain to. Default: none (clients are not authenticated).
   *
   * @throws IllegalStateException if this is a client context or a trust manager was already set
   */
  public OneCaSslContextBuilder trustManager(X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    requireState(!client, "trustManager(...) is for server contexts; a client context has its trust manager already");
    requireState(this.trustManager == null, "trustManager was already set");
    this.trustManager = trustManager;
    return this;
  }

  /**
   * Sets whether a server asks clients for a certificate. Default: {@link ClientAuth#REQUIRE} when
   * the server has a trust manager (always for {@link OneCaSslContexts#forServer(io.oneca.core.ManagedIdentity)}),
   * {@link ClientAuth#NONE} otherwise.
   *
   * @throws IllegalStateException if this is a client context or client auth was already set
   */
  public OneCaSslContextBuilder clientAuth(ClientAuth clientAuth) {
    Objects.requireNonNull(clientAuth, "clientAuth");
    requireState(!client, "clientAuth(...) is for server contexts");
    requireState(this.clientAuth == null, "clientAuth was already set to " + this.clientAuth);
    this.clientAuth = clientAuth;
    return this;
  }

  /**
   * Sets how long a TLS session may be resumed. Default {@link #DEFAULT_SESSION_TIMEOUT} (one hour;
   * the JDK's own default is 24 hours). This bounds what the context cannot recall on a change: a
   * TLS 1.3 session ticket already handed to a peer, which lets that peer resume with the
   * certificates of its original handshake even after this side dropped its cache.
   *
   * @param timeout at least one second
   * @throws InvalidRequestException ({@code sessionTimeout}) if shorter than one second
   * @throws IllegalStateException if it was already set
   */
  public OneCaSslContextBuilder sessionTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    requireState(sessionTimeout == null, "sessionTimeout was already set to " + sessionTimeout);
    if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new InvalidRequestException("sessionTimeout", "must be at least one second, was " + timeout);
    }
    this.sessionTimeout = timeout;
    return this;
  }

  /**
   * Adds settings this builder does not cover (application protocols for ALPN, endpoint
   * identification), applied to Netty's builder after {@link TlsDefaults} (protocols and cipher
   * suites, which a customizer may therefore narrow or, deliberately, replace) and before OneCA's own
   * settings. It must not replace the key manager, the trust manager or the provider. It runs again
   * for every revision of the managers (see {@link #build}). Default: nothing.
   *
   * @throws IllegalStateException if a customizer was already set
   */
  public OneCaSslContextBuilder customize(Consumer<SslContextBuilder> customizer) {
    Objects.requireNonNull(customizer, "customizer");
    requireState(this.customizer == null, "customize(...) was already called");
    this.customizer = customizer;
    return this;
  }

  /**
   * Builds the context: {@link TlsDefaults} (TLS 1.3 and 1.2, ECDHE with AEAD suites only), then
   * the customizer, then OneCA's settings. With reloading managers the result is one Netty context per
   * revision of the managers, built on the first handshake after a change, so a TLS 1.3 session ticket
   * from before a renewal or a CA change no longer decrypts and the peer gets a full handshake with the
   * current certificate (no JVM-wide flag needed). Thread-safe.
   *
   * @return a context that follows its managers' changes
   * @throws InvalidRequestException ({@code clientAuth}) if a server asks for client certificates
   *     without a trust manager
   * @throws IllegalStateException if Netty cannot build a JDK context
   */
  public SslContext build() {
    ClientAuth auth = clientAuth != null ? clientAuth : trustManager != null ? ClientAuth.REQUIRE : ClientAuth.NONE;
    if (!client && auth != ClientAuth.NONE && trustManager == null) {
      throw new InvalidRequestException("clientAuth", auth + " needs a trust manager for client certificates");
    }
    Supplier<SslContext> factory = () -> buildOne(auth);
    return RevisionedSslContext.reloads(keyManager, trustManager)
        ? new RevisionedSslContext(factory, keyManager, trustManager) : factory.get();
  }

  /** One Netty context on the managers; built again for each revision of reloading managers. */
  private SslContext buildOne(ClientAuth auth) {
    SslContextBuilder builder = client ? SslContextBuilder.forClient()
        : SslContextBuilder.forServer(TlsContexts.keyManagerFactory(keyManager));
    builder.protocols(TlsDefaults.PROTOCOLS)
        .ciphers(TlsDefaults.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
    if (customizer != null) {
      customizer.accept(builder);
    }
    builder.sslProvider(SslProvider.JDK)
        .sessionTimeout((sessionTimeout != null ? sessionTimeout : DEFAULT_SESSION_TIMEOUT).toSeconds());
    if (client) {
      if (keyManager != null) {
        builder.keyManager(TlsContexts.keyManagerFactory(keyManager));
      }
    } else {
      builder.clientAuth(auth);
    }
    if (trustManager != null) {
      builder.trustManager(TlsContexts.trustManagerFactory(trustManager));
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("Netty could not build a JDK TLS context: " + e.getMessage(), e);
    }
  }

  private static void requireState(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
