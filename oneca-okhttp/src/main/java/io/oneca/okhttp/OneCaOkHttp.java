package io.oneca.okhttp;

import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.TlsContexts;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * Configures OkHttp clients to present a OneCA identity and to trust its CA bundle.
 *
 * <pre>{@code
 * OkHttpClient client = OneCaOkHttp.configure(new OkHttpClient.Builder(), identity).build();
 * AutoCloseable eviction = OneCaOkHttp.evictConnectionsOnRenewal(client, identity);
 * }</pre>
 *
 * <p>The client's socket factory comes from {@link TlsContexts#sslContext}: it keeps OneCA's
 * reloading managers, so every new connection presents the current certificate and checks the
 * server against the current CA bundle, and it drops its cached TLS sessions when those managers
 * change (a resumed session would present nothing new). OkHttp's connection pool, however, keeps
 * idle connections with the handshake they were made with: a request that reuses one still runs
 * on the old certificates. {@link #evictConnectionsOnRenewal} closes the idle connections whenever
 * the identity is renewed or re-issued for a new CA.
 */
public final class OneCaOkHttp {
  private OneCaOkHttp() {}

  /**
   * Sets {@code builder}'s socket factory and trust manager to present {@code identity} and trust
   * its CA bundle.
   *
   * @return {@code builder}
   */
  public static OkHttpClient.Builder configure(OkHttpClient.Builder builder, ManagedIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return configure(builder, identity.keyManager(), identity.trustManager());
  }

  /**
   * Sets {@code builder}'s socket factory and trust manager on any managers (for example the
   * reloading managers of a file source).
   *
   * @param keyManager the client certificate to present when a server asks; {@code null} for none
   * @param trustManager the anchors server certificates must chain to
   * @return {@code builder}
   */
  public static OkHttpClient.Builder configure(OkHttpClient.Builder builder, X509KeyManager keyManager,
      X509TrustManager trustManager) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(trustManager, "trustManager");
    SSLContext context = TlsContexts.sslContext(keyManager, trustManager);
    return builder.sslSocketFactory(context.getSocketFactory(), trustManager);
  }

  /**
   * Returns {@link #configure(OkHttpClient.Builder, ManagedIdentity)} as a customizer, for code
   * that collects builder customizers.
   */
  public static Consumer<OkHttpClient.Builder> customizer(ManagedIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return builder -> configure(builder, identity);
  }

  /**
   * Evicts {@code client}'s idle pooled connections after every renewal of {@code identity} (which
   * includes the re-issue after a CA change), so that the next request opens a connection with the
   * new certificate. Connections carrying a request at that moment finish it and may be reused
   * afterwards; call {@code client.connectionPool().evictAll()} again, or close them, if that
   * matters. Clients derived with {@code client.newBuilder()} share the pool.
   *
   * @return closing it stops the eviction
   */
  public static AutoCloseable evictConnectionsOnRenewal(OkHttpClient client, ManagedIdentity identity) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(identity, "identity");
    return identity.onRenewal(renewed -> client.connectionPool().evictAll());
  }
}
