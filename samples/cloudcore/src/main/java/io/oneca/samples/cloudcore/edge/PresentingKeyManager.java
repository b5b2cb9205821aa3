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
 * The edge's key manager, remembering on which connections the replica asked for a client
 * certificate from CAs that did not issue the edge's certificate.
 *
 * <p>With TLS 1.3 a server that refuses a client certificate sends an (encrypted) alert and closes
 * while the client is still writing its last handshake messages; the client then sees "Broken pipe"
 * or "Connection reset", never the alert, and the failure looked like an unreachable replica. The
 * server's certificate request names the CAs it accepts; when the edge's issuer is not among them the
 * server will refuse the certificate, so a transport failure of that handshake is a trust failure
 * ({@link TinyHttps#connect}). A replica that accepts the edge's CA and goes away mid-handshake stays
 * an unavailable replica. A server that names no CAs gives no signal: such failures stay unavailable.
 */
final class PresentingKeyManager extends X509ExtendedKeyManager {
  private static final Set<Socket> PRESENTED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private final X509ExtendedKeyManager delegate;

  PresentingKeyManager(X509ExtendedKeyManager delegate) {
    this.delegate = delegate;
  }

  /** Whether the replica on {@code socket} asked for a certificate from CAs other than the edge's; forgets it. */
  static boolean presentedOn(Socket socket) {
    return PRESENTED.remove(socket);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    String alias = delegate.chooseClientAlias(keyType, issuers, socket);
    if (socket != null && issuers != null && issuers.length > 0 && !accepted(alias, issuers)) {
      PRESENTED.add(socket);
    }
    return alias;
  }

  /** Whether a CA of the certificate chain of {@code alias} is among the server's accepted issuers. */
  private boolean accepted(String alias, Principal[] issuers) {
    X509Certificate[] chain = alias == null ? null : delegate.getCertificateChain(alias);
    if (chain == null) {
      return false;
    }
    for (X509Certificate certificate : chain) {
      for (Principal issuer : issuers) {
        if (certificate.getIssuerX500Principal().equals(issuer)) {
          return true;
        }
      }
    }
    return false;
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
