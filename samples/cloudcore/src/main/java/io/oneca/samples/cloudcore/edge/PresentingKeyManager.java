package io.oneca.samples.cloudcore.edge;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The edge's key manager, remembering on which connections it presented the edge's certificate.
 *
 * <p>With TLS 1.3 a server that refuses a client certificate sends an (encrypted) alert and closes
 * while the client is still writing its last handshake messages; the client then sees "Broken pipe"
 * or "Connection reset", never the alert, and the failure looked like an unreachable replica. A
 * connection that fails at the transport level after the edge presented its certificate and before
 * the handshake completed is therefore a refusal of that certificate ({@link TinyHttps#connect}),
 * unless the replica died in exactly that millisecond.
 */
final class PresentingKeyManager extends X509ExtendedKeyManager {
  private static final Set<Socket> PRESENTED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private final X509ExtendedKeyManager delegate;

  PresentingKeyManager(X509ExtendedKeyManager delegate) {
    this.delegate = delegate;
  }

  /** Whether the edge's certificate was presented on {@code socket}; forgets it. */
  static boolean presentedOn(Socket socket) {
    return PRESENTED.remove(socket);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    String alias = delegate.chooseClientAlias(keyType, issuers, socket);
    if (alias != null && socket != null) {
      PRESENTED.add(socket);
    }
    return alias;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineClientAlias(keyType, issuers, engine);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate.getPrivateKey(alias);
  }
}
