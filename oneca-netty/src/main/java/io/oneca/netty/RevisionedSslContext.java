package io.oneca.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * A Netty context that is one JDK-provider {@link SslContext} per revision of its reloading
 * managers, built when the first engine is created after a change. TLS 1.3 session tickets are
 * encrypted with keys of the JDK context that issued them, so a ticket from before a renewal or a
 * trust change no longer decrypts: the peer makes a full handshake and sees the current certificate,
 * with no JVM-wide flag. Cached sessions stay with their revision. The check when an engine is
 * created is a volatile read per manager and a comparison; a rebuild takes a lock.
 */
final class RevisionedSslContext extends SslContext {
  /**
   * What the managers served: the key manager's alias (new per revision) and the trust manager's
   * anchor list (a new list per revision, so compared by reference).
   */
  private record Revision(String keyAlias, List<?> anchors) {
    static Revision of(ReloadingX509KeyManager keyManager, ReloadingX509TrustManager trustManager) {
      return new Revision(keyManager == null ? null : keyManager.currentAlias().orElse(null),
          trustManager == null ? null : trustManager.anchors());
    }

    boolean sameAs(Revision other) {
      return Objects.equals(keyAlias, other.keyAlias) && anchors == other.anchors;
    }
  }

  private record Generation(Revision revision, SslContext context) {}

  private final Supplier<SslContext> factory;
  private final ReloadingX509KeyManager keyManager;
  private final ReloadingX509TrustManager trustManager;
  private volatile Generation current;

  RevisionedSslContext(Supplier<SslContext> factory, X509KeyManager keyManager, X509TrustManager trustManager) {
    this.factory = factory;
    this.keyManager = keyManager instanceof ReloadingX509KeyManager reloading ? reloading : null;
    this.trustManager = trustManager instanceof ReloadingX509TrustManager reloading ? reloading : null;
    Revision revision = Revision.of(this.keyManager, this.trustManager);
    this.current = new Generation(revision, factory.get());
  }

  /** Returns whether any manager of this context can change (otherwise one context is enough). */
  static boolean reloads(X509KeyManager keyManager, X509TrustManager trustManager) {
    return keyManager instanceof ReloadingX509KeyManager || trustManager instanceof ReloadingX509TrustManager;
  }

  /** The context of the managers' current revision. */
  SslContext context() {
    Generation generation = current;
    Revision now = Revision.of(keyManager, trustManager);
    if (generation.revision().sameAs(now)) {
      return generation.context();
    }
    synchronized (this) {
      generation = current;
      if (!generation.revision().sameAs(now)) {
        SslContext previous = generation.context();
        generation = new Generation(now, factory.get());
        current = generation;
        OneCaSslContexts.invalidateSessions(previous);
      }
      return generation.context();
    }
  }

  @Override
  public boolean isClient() {
    return current.context().isClient();
  }

  @Override
  public List<String> cipherSuites() {
    return current.context().cipherSuites();
  }

  @Override
  public long sessionCacheSize() {
    return current.context().sessionCacheSize();
  }

  @Override
  public long sessionTimeout() {
    return current.context().sessionTimeout();
  }

  @Override
  @SuppressWarnings("deprecation")
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return current.context().applicationProtocolNegotiator();
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return context().newEngine(alloc);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return context().newEngine(alloc, peerHost, peerPort);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return context().sessionContext();
  }
}
