package io.oneca.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials.ClientAuth;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.Fingerprint;
import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.testkit.Await;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A real gRPC server and stub calls over TLS on 127.0.0.1 with OneCA identities, across renewals. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaGrpcTest {
  /** The two ways of building credentials. */
  enum Flavor {
    /** {@link OneCaGrpc}: gRPC's TlsServerCredentials and TlsChannelCredentials. */
    TLS_CREDENTIALS {
      @Override
      ServerCredentials server(ManagedIdentity identity, ClientAuth clientAuth) {
        return OneCaGrpc.serverCredentials(identity, clientAuth);
      }

      @Override
      ChannelCredentials channel(ManagedIdentity identity) {
        return OneCaGrpc.channelCredentials(identity);
      }
    },
    /** {@link OneCaGrpcNetty}: contexts from oneca-netty. */
    NETTY_CONTEXTS {
      @Override
      ServerCredentials server(ManagedIdentity identity, ClientAuth clientAuth) {
        return OneCaGrpcNetty.serverCredentials(identity, clientAuth, Duration.ofHours(1));
      }

      @Override
      ChannelCredentials channel(ManagedIdentity identity) {
        return OneCaGrpcNetty.channelCredentials(identity);
      }
    };

    abstract ServerCredentials server(ManagedIdentity identity, ClientAuth clientAuth);

    abstract ChannelCredentials channel(ManagedIdentity identity);
  }

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Server> servers = new ArrayList<>();
  private TestCa ca;
  private TestCa otherCa;
  private ManagedIdentity server;
  private ManagedIdentity client;

  @BeforeEach
  void setUp() {
    ca = new TestCa("CN=OneCA gRPC Test CA");
    otherCa = new TestCa("CN=Some Other CA");
    server = ca.identity("server");
    client = ca.identity("client");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server started : servers) {
      started.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    ca.close();
    otherCa.close();
  }

  @ParameterizedTest
  @EnumSource(Flavor.class)
  void renewal_newConnectionsSeeTheNewCertificates_establishedOnesKeepTheirHandshake(Flavor flavor) throws Exception {
    int port = start(flavor.server(server, ClientAuth.REQUIRE));
    ManagedChannel first = channel(port, flavor.channel(client));
    assertThat(WhoAmI.ask(first)).isEqualTo(serials(server, client));
    WhoAmI.Seen before = serials(server, client);

    server.renewNow();
    client.renewNow();
    WhoAmI.Seen after = serials(server, client);

    assertThat(after.server()).isNotEqualTo(before.server());
    assertThat(after.client()).isNotEqualTo(before.client());
    assertThat(WhoAmI.ask(first)).as("the established HTTP/2 connection").isEqualTo(before);
    assertThat(WhoAmI.ask(channel(port, flavor.channel(client)))).as("a new channel").isEqualTo(after);
  }

  @ParameterizedTest
  @EnumSource(Flavor.class)
  void channelReconnectingAfterRenewals_netty_makesAFullHandshake_tlsCredentials_resume(Flavor flavor)
      throws Exception {
    int port = start(flavor.server(server, ClientAuth.REQUIRE));
    ManagedChannel channel = channel(port, flavor.channel(client));
    WhoAmI.Seen before = WhoAmI.ask(channel);

    server.renewNow();
    client.renewNow();
    channel.enterIdle();
    WhoAmI.Seen reconnected = WhoAmI.ask(channel);

    if (flavor == Flavor.NETTY_CONTEXTS) {
      assertThat(reconnected).isEqualTo(serials(server, client));
    } else {
      // The caveat of OneCaGrpc (see its javadoc and the README): the transport's own context
      // keeps its sessions, so the reconnect resumes the session of the original handshake.
      assertThat(reconnected).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @EnumSource(Flavor.class)
  void caChange_newChannelsUseTheNewCa_oldCaClientsAreRefused_reconnectsResumeOnlyWithTlsCredentials(Flavor flavor)
      throws Exception {
    int port = start(flavor.server(server, ClientAuth.REQUIRE));
    ManagedChannel channel = channel(port, flavor.channel(client));
    WhoAmI.Seen before = WhoAmI.ask(channel);
    IdentitySnapshot oldClient = client.current();

    Fingerprint newCa = ca.forceRotation();
    Await.until("both identities re-issued from the new CA", Duration.ofSeconds(20),
        () -> server.current().caFingerprint().equals(newCa) && client.current().caFingerprint().equals(newCa));

    assertThat(WhoAmI.ask(channel(port, flavor.channel(client)))).isEqualTo(serials(server, client));
    ChannelCredentials oldCa = OneCaGrpc.channelCredentials(
        ReloadingX509KeyManager.of(oldClient.privateKey(), oldClient.chain()), client.trustManager());
    assertThatThrownBy(() -> WhoAmI.ask(channel(port, oldCa))).isInstanceOf(StatusRuntimeException.class);

    channel.enterIdle();
    WhoAmI.Seen reconnected = WhoAmI.ask(channel);
    if (flavor == Flavor.NETTY_CONTEXTS) {
      assertThat(reconnected).isEqualTo(serials(server, client));
    } else {
      // The caveat of OneCaGrpc: the reconnect resumes the session made under the replaced CA.
      assertThat(reconnected).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @EnumSource(Flavor.class)
  void mutualTls_refusesClientsWithoutACertificateOfThisCa(Flavor flavor) throws Exception {
    int port = start(flavor.server(server, ClientAuth.REQUIRE));
    ManagedIdentity stranger = otherCa.identity("stranger");
    ChannelCredentials foreign = OneCaGrpc.channelCredentials(stranger.keyManager(), server.trustManager());
    ChannelCredentials none = OneCaGrpc.channelCredentials(null, server.trustManager());

    assertThatThrownBy(() -> WhoAmI.ask(channel(port, foreign))).isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThatThrownBy(() -> WhoAmI.ask(channel(port, none))).isInstanceOf(StatusRuntimeException.class);
    assertThat(WhoAmI.ask(channel(port, flavor.channel(client))).client())
        .isEqualTo(client.current().certificate().getSerialNumber());

    int open = start(flavor.server(server, ClientAuth.NONE));
    assertThat(WhoAmI.ask(channel(open, none))).isEqualTo(new WhoAmI.Seen(
        server.current().certificate().getSerialNumber(), null));
  }

  @ParameterizedTest
  @EnumSource(Flavor.class)
  void channel_refusesAServerOfAnotherCa(Flavor flavor) throws Exception {
    int port = start(flavor.server(otherCa.identity("stranger"), ClientAuth.NONE));
    assertThatThrownBy(() -> WhoAmI.ask(channel(port, flavor.channel(client))))
        .isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void serverCredentials_askingForClientCertificatesWithoutTrust_isRefused() {
    assertThatThrownBy(() -> OneCaGrpc.serverCredentials(server.keyManager(), null, ClientAuth.REQUIRE))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("clientAuth");
    assertThat(OneCaGrpc.serverCredentials(server.keyManager(), null, ClientAuth.NONE)).isNotNull();
  }

  private int start(ServerCredentials credentials) throws Exception {
    Server started = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        credentials).addService(WhoAmI.service()).build().start();
    servers.add(started);
    return started.getPort();
  }

  private ManagedChannel channel(int port, ChannelCredentials credentials) {
    ManagedChannel channel = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), credentials)
        .overrideAuthority("127.0.0.1:" + port).build();
    channels.add(channel);
    return channel;
  }

  private static WhoAmI.Seen serials(ManagedIdentity server, ManagedIdentity client) {
    BigInteger clientSerial = client.current().certificate().getSerialNumber();
    return new WhoAmI.Seen(server.current().certificate().getSerialNumber(), clientSerial);
  }
}
