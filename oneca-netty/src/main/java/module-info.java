/**
 * Netty {@code SslContext}s built on OneCA's reloading key and trust managers: renewed identities
 * and changed CA bundles apply to new handshakes without rebuilding the context or restarting the
 * server, and cached TLS sessions are dropped when the identity changes.
 */
module io.oneca.netty {
  requires transitive io.oneca.core;
  requires transitive io.netty.handler;

  exports io.oneca.netty;
}
