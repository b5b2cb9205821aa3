package io.oneca.netty;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Drops the cached TLS sessions of a Netty context before the first handshake after its reloading
 * managers changed. A resumed session skips certificates: without this a client would keep seeing
 * the server's certificate of the original handshake, and a server would accept a resumed client
 * without checking it against the new trust anchors.
 *
 * <p>The check runs when an engine is created (before its handshake starts): one volatile read per
 * manager and a reference comparison, no listener to register or leak.
 */
final class ReloadAwareSslContext extends DelegatingSslContext {
  /**
   * What the managers served when last looked at: the key manager's alias (new per revision) and
   * the trust manager's anchor list (a new list per revision, so compared by reference).
   */
  private record Revision(String keyAlias, List<?> anchors) {
    boolean sameAs(Revision other) {
      return java.util.Objects.equals(keyAlias, other.keyAlias) && anchors == other.anchors;
    }
  }

  private final SslContext delegate;
  private final ReloadingX509KeyManager keyManager;
  private final ReloadingX509TrustManager trustManager;
  private final AtomicReference<Revision> seen;

  ReloadAwareSslContext(SslContext delegate, X509KeyManager keyManager, X509TrustManager trustManager) {
    super(delegate);
    this.delegate = delegate;
    this.keyManager = keyManager instanceof ReloadingX509KeyManager reloading ? reloading : null;
    this.trustManager = trustManager instanceof ReloadingX509TrustManager reloading ? reloading : null;
    this.seen = new AtomicReference<>(revision());
  }

  /** Returns whether any manager of this context can change (otherwise no check is needed). */
  static boolean reloads(X509KeyManager keyManager, X509TrustManager trustManager) {
    return keyManager instanceof ReloadingX509KeyManager || trustManager instanceof ReloadingX509TrustManager;
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    Revision previous = seen.get();
    Revision now = revision();
    if (!previous.sameAs(now) && seen.compareAndSet(previous, now)) {
      OneCaSslContexts.invalidateSessions(delegate);
    }
  }

  private Revision revision() {
    return new Revision(keyManager == null ? null : keyManager.currentAlias().orElse(null),
        trustManager == null ? null : trustManager.anchors());
  }
}
