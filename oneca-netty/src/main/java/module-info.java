/**
 * Netty {@code SslContext}s built on OneCA's reloading key and trust managers: renewed identities
 * and changed CA bundles apply to new handshakes without rebuilding the context or restarting the
 * server, and sessions from before an identity or trust change cannot be resumed.
 */
module io.oneca.netty {
  requires transitive io.oneca.core;
  requires transitive io.netty.handler;
  requires io.netty.buffer;

  exports io.oneca.netty;
}
