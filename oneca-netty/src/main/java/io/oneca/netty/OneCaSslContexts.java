package io.oneca.netty;

import io.netty.handler.ssl.SslContext;
import io.oneca.core.ManagedIdentity;
import java.util.Collections;
import java.util.Objects;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Entry point of the Netty adapter: Netty {@link SslContext}s whose certificate and trust anchors
 * come from OneCA's reloading managers.
 *
 * <pre>{@code
 * ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("api").dnsName("api.internal").build());
 * SslContext server = OneCaSslContexts.forServer(identity).build();         // mTLS (client auth REQUIRE)
 * SslContext client = OneCaSslContexts.forClient(identity).build();         // presents the identity too
 * pipeline.addLast(server.newHandler(channel.alloc()));
 * }</pre>
 *
 * <p>The contexts keep the managers themselves (through a {@code KeyManagerFactory} and
 * {@code TrustManagerFactory} that hand them out), so a renewal or a CA change applies to the next
 * handshake without the caller rebuilding anything. Connections that are already established keep
 * the certificates of their handshake. Protocols and suites are {@link io.oneca.core.tls.TlsDefaults}.
 * Sessions from before a change cannot be resumed: the context holds one Netty context per revision of
 * its managers (see {@link OneCaSslContextBuilder#build}).
 */
public final class OneCaSslContexts {
  private OneCaSslContexts() {}

  /**
   * Starts a server context that presents {@code identity} and, by default, requires clients to
   * present a certificate that chains to the identity's CA bundle (mutual TLS).
   *
   * @param identity this process's OneCA identity
   * @return a builder; see its setters for every default
   */
  public static OneCaSslContextBuilder forServer(ManagedIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return new OneCaSslContextBuilder(false, identity.keyManager(), identity.trustManager());
  }

  /**
   * Starts a server context that presents {@code keyManager}'s material (for example a
   * {@link io.oneca.core.tls.ReloadingX509KeyManager} fed by a file source). It does not
   * authenticate clients unless {@link OneCaSslContextBuilder#trustManager} is set.
   *
   * @param keyManager what to present
   * @return a builder
   */
  public static OneCaSslContextBuilder forServer(X509KeyManager keyManager) {
    Objects.requireNonNull(keyManager, "keyManager");
    return new OneCaSslContextBuilder(false, keyManager, null);
  }

  /**
   * Starts a client context that trusts servers whose certificate chains to {@code identity}'s CA
   * bundle and presents {@code identity} when the server asks for a client certificate.
   *
   * @param identity this process's OneCA identity
   * @return a builder
   */
  public static OneCaSslContextBuilder forClient(ManagedIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return new OneCaSslContextBuilder(true, identity.keyManager(), identity.trustManager());
  }

  /**
   * Starts a client context that trusts {@code trustManager}'s anchors (for example a
   * {@link io.oneca.core.tls.ReloadingX509TrustManager} of the CA bundle) and presents no
   * certificate unless {@link OneCaSslContextBuilder#keyManager} is set.
   *
   * @param trustManager whom to trust
   * @return a builder
   */
  public static OneCaSslContextBuilder forClient(X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    return new OneCaSslContextBuilder(true, null, trustManager);
  }

  /**
   * Invalidates every cached TLS session of {@code context}, so that the next connection performs
   * a full handshake with the current certificates. Contexts built here do this by themselves when
   * a reloading manager changes; call it for contexts whose managers change in other ways.
   *
   * @param context a Netty context that uses the JDK provider
   */
  public static void invalidateSessions(SslContext context) {
    Objects.requireNonNull(context, "context");
    SSLSessionContext sessions = context.sessionContext();
    if (sessions == null) {
      return;
    }
    for (byte[] id : Collections.list(sessions.getIds())) {
      SSLSession session = sessions.getSession(id);
      if (session != null) {
        session.invalidate();
      }
    }
  }
}
