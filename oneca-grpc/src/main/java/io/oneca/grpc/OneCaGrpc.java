package io.oneca.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.TlsServerCredentials.ClientAuth;
import io.oneca.core.ManagedIdentity;
import java.util.Objects;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * gRPC credentials for any transport (grpc-netty, grpc-netty-shaded, grpc-okhttp), built with
 * gRPC's {@link TlsServerCredentials} and {@link TlsChannelCredentials} on OneCA's reloading
 * managers.
 *
 * <pre>{@code
 * Server server = Grpc.newServerBuilderForPort(8443, OneCaGrpc.serverCredentials(identity))
 *     .addService(service).build().start();                      // mTLS: client auth REQUIRE
 * ManagedChannel channel = Grpc.newChannelBuilder("api.internal:8443",
 *     OneCaGrpc.channelCredentials(identity)).build();
 * }</pre>
 *
 * <p>The transport keeps the managers, so a renewal or a CA change applies to the next handshake:
 * a new connection (a new channel, or a reconnect). Established HTTP/2 connections keep the
 * certificates of their handshake. The transport builds its own TLS context from these
 * credentials, with its session cache and the JDK's default session timeout (24 hours); OneCA
 * cannot drop those sessions, so a channel that reconnects may resume a session made before a
 * change. Protocols and cipher suites are the transport's own (gRPC's HTTP/2 list: TLS 1.2+ with
 * ECDHE and AEAD suites), not {@link io.oneca.core.tls.TlsDefaults}: these credentials have no setting
 * for them. On the Netty transport, {@link OneCaGrpcNetty} applies {@code TlsDefaults} and refuses
 * resumption of sessions from before a change.
 */
public final class OneCaGrpc {
  private OneCaGrpc() {}

  /**
   * Returns server credentials that present {@code identity} and require clients to present a
   * certificate chaining to its CA bundle (mutual TLS).
   */
  public static ServerCredentials serverCredentials(ManagedIdentity identity) {
    return serverCredentials(identity, ClientAuth.REQUIRE);
  }

  /**
   * Returns server credentials that present {@code identity} and treat client certificates as
   * {@code clientAuth} says (checked against the identity's CA bundle).
   *
   * @param identity this process's OneCA identity
   * @param clientAuth {@code REQUIRE} for mutual TLS, {@code OPTIONAL}, or {@code NONE}
   */
  public static ServerCredentials serverCredentials(ManagedIdentity identity, ClientAuth clientAuth) {
    Objects.requireNonNull(identity, "identity");
    return serverCredentials(identity.keyManager(), identity.trustManager(), clientAuth);
  }

  /**
   * Returns server credentials on any managers (for example those of a file source).
   *
   * @param keyManager what the server presents
   * @param trustManager the anchors client certificates must chain to; {@code null} only with
   *     {@code ClientAuth.NONE}
   * @param clientAuth whether to ask clients for a certificate
   * @throws io.oneca.api.InvalidRequestException ({@code clientAuth}) if client certificates are
   *     asked for without a trust manager
   */
  public static ServerCredentials serverCredentials(X509KeyManager keyManager, X509TrustManager trustManager,
      ClientAuth clientAuth) {
    Objects.requireNonNull(keyManager, "keyManager");
    Objects.requireNonNull(clientAuth, "clientAuth");
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keyManager)
        .clientAuth(clientAuth);
    if (trustManager != null) {
      builder.trustManager(trustManager);
    } else if (clientAuth != ClientAuth.NONE) {
      throw new io.oneca.api.InvalidRequestException("clientAuth", clientAuth + " needs a trust manager");
    }
    return builder.build();
  }

  /**
   * Returns channel credentials that trust servers chaining to {@code identity}'s CA bundle and
   * present {@code identity} when the server asks for a client certificate.
   */
  public static ChannelCredentials channelCredentials(ManagedIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return channelCredentials(identity.keyManager(), identity.trustManager());
  }

  /**
   * Returns channel credentials on any managers.
   *
   * @param keyManager the client certificate to present; {@code null} for none
   * @param trustManager the anchors the server's certificate must chain to
   */
  public static ChannelCredentials channelCredentials(X509KeyManager keyManager, X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(trustManager);
    if (keyManager != null) {
      builder.keyManager(keyManager);
    }
    return builder.build();
  }
}
