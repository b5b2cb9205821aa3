package io.oneca.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials.ClientAuth;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.NettySslContextServerCredentials;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.TlsDefaults;
import io.oneca.netty.OneCaSslContextBuilder;
import io.oneca.netty.OneCaSslContexts;
import java.time.Duration;
import java.util.Objects;

/**
 * gRPC credentials for the Netty transport ({@code io.grpc:grpc-netty}, not the shaded artifact)
 * built from {@link OneCaSslContexts}: like {@link OneCaGrpc}, plus what only a context OneCA
 * builds itself can do — {@link TlsDefaults} (TLS 1.3 and 1.2, ECDHE with AEAD suites) after gRPC's
 * HTTP/2 settings, one context per revision of the identity so that no session from before a renewal
 * or a CA change is resumed (by either side), and sessions that expire after
 * {@link OneCaSslContextBuilder#DEFAULT_SESSION_TIMEOUT} (one hour) instead of 24 hours. A channel
 * that reconnects after a renewal therefore makes a full handshake with the new certificates.
 *
 * <pre>{@code
 * Server server = NettyServerBuilder.forPort(8443, OneCaGrpcNetty.serverCredentials(identity))
 *     .addService(service).build().start();
 * ManagedChannel channel = NettyChannelBuilder.forTarget("api.internal:8443",
 *     OneCaGrpcNetty.channelCredentials(identity)).build();
 * }</pre>
 *
 * <p>Needs {@code io.grpc:grpc-netty} and {@code io.netty:netty-handler} on the class path (both
 * are optional dependencies of this module).
 */
public final class OneCaGrpcNetty {
  private OneCaGrpcNetty() {}

  /** Returns server credentials that present {@code identity} and require client certificates of its CA. */
  public static ServerCredentials serverCredentials(ManagedIdentity identity) {
    return serverCredentials(identity, ClientAuth.REQUIRE, OneCaSslContextBuilder.DEFAULT_SESSION_TIMEOUT);
  }

  /**
   * Returns server credentials that present {@code identity}.
   *
   * @param identity this process's OneCA identity
   * @param clientAuth {@code REQUIRE} for mutual TLS, {@code OPTIONAL}, or {@code NONE}
   * @param sessionTimeout how long a TLS session may be resumed; at least one second
   */
  public static ServerCredentials serverCredentials(ManagedIdentity identity, ClientAuth clientAuth,
      Duration sessionTimeout) {
    Objects.requireNonNull(clientAuth, "clientAuth");
    return NettySslContextServerCredentials.create(OneCaSslContexts.forServer(identity)
        .clientAuth(io.netty.handler.ssl.ClientAuth.valueOf(clientAuth.name()))
        .sessionTimeout(sessionTimeout)
        .customize(OneCaGrpcNetty::grpcWithOneCaDefaults)
        .build());
  }

  /** Returns channel credentials that trust {@code identity}'s CA bundle and present {@code identity}. */
  public static ChannelCredentials channelCredentials(ManagedIdentity identity) {
    return channelCredentials(identity, OneCaSslContextBuilder.DEFAULT_SESSION_TIMEOUT);
  }

  /**
   * Returns channel credentials that trust {@code identity}'s CA bundle and present {@code identity}.
   *
   * @param sessionTimeout how long a TLS session may be resumed; at least one second
   */
  public static ChannelCredentials channelCredentials(ManagedIdentity identity, Duration sessionTimeout) {
    return NettySslContextChannelCredentials.create(OneCaSslContexts.forClient(identity)
        .sessionTimeout(sessionTimeout)
        .customize(OneCaGrpcNetty::grpcWithOneCaDefaults)
        .build());
  }

  /** gRPC's HTTP/2 settings (ALPN), then OneCA's {@link TlsDefaults}, which HTTP/2 accepts (ECDHE with AEAD). */
  private static void grpcWithOneCaDefaults(SslContextBuilder builder) {
    GrpcSslContexts.configure(builder, SslProvider.JDK)
        .protocols(TlsDefaults.PROTOCOLS)
        .ciphers(TlsDefaults.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
  }
}
