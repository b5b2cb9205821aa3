package io.oneca.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Test support: a Netty TLS server on a free loopback port that echoes one byte, and its client. */
final class NettyEcho implements AutoCloseable {
  /** What the client saw: the server's leaf and the session (to tell resumed sessions apart). */
  record Seen(X509Certificate serverCertificate, SSLSession session) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel server;
  private volatile Optional<X509Certificate> lastClientCertificate = Optional.empty();

  NettyEcho(SslContext serverContext) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            SslHandler tls = serverContext.newHandler(channel.alloc());
            tls.handshakeFuture().addListener(done -> {
              if (done.isSuccess()) {
                lastClientCertificate = peer(tls.engine().getSession());
              }
            });
            channel.pipeline().addLast(tls, new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext context, ByteBuf message) {
                context.writeAndFlush(message.retain());
              }
            });
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The certificate the last accepted client presented, if it presented one. */
  Optional<X509Certificate> lastClientCertificate() {
    return lastClientCertificate;
  }

  /**
   * Connects with {@code clientContext}, completes the handshake and one echoed byte (which also
   * delivers TLS 1.3 session tickets), and closes.
   *
   * @throws Exception the handshake's or the exchange's failure
   */
  Seen connect(SslContext clientContext) throws Exception {
    CompletableFuture<Integer> echoed = new CompletableFuture<>();
    SslHandler[] tls = new SslHandler[1];
    Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            tls[0] = clientContext.newHandler(channel.alloc(), "127.0.0.1", port());
            channel.pipeline().addLast(tls[0], new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext context, ByteBuf message) {
                echoed.complete((int) message.readByte());
              }

              @Override
              public void channelInactive(ChannelHandlerContext context) {
                echoed.completeExceptionally(new IllegalStateException("closed before the echo"));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                echoed.completeExceptionally(cause);
              }
            });
          }
        })
        .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port())).sync().channel();
    try {
      io.netty.util.concurrent.Future<Channel> handshake = tls[0].handshakeFuture();
      if (!handshake.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("handshake did not finish in 5 s");
      }
      if (!handshake.isSuccess()) {
        throw new IllegalStateException("handshake failed: " + handshake.cause(), handshake.cause());
      }
      channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
      int value = echoed.get(5, TimeUnit.SECONDS);
      if (value != 42) {
        throw new IllegalStateException("echoed " + value);
      }
      SSLSession session = tls[0].engine().getSession();
      return new Seen((X509Certificate) session.getPeerCertificates()[0], session);
    } finally {
      channel.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static Optional<X509Certificate> peer(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return Optional.of((X509Certificate) chain[0]);
    } catch (SSLPeerUnverifiedException none) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
