/**
 * gRPC-java credentials built on OneCA's reloading key and trust managers: a server and its
 * channels keep serving renewed identities and changed CA bundles without being rebuilt.
 *
 * <p>gRPC's jars are automatic modules ({@code io.grpc}, {@code io.grpc.netty}); their packages do
 * not overlap, so this module has a real descriptor.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.oneca.grpc {
  requires transitive io.oneca.core;
  requires transitive io.grpc;
  requires static io.grpc.netty;
  requires static io.oneca.netty;
  requires static io.netty.handler;

  exports io.oneca.grpc;
}
