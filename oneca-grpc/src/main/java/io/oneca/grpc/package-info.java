/**
 * gRPC-java {@link io.grpc.ServerCredentials} and {@link io.grpc.ChannelCredentials} that serve a
 * OneCA {@link io.oneca.core.ManagedIdentity}: {@link io.oneca.grpc.OneCaGrpc} for any transport,
 * {@link io.oneca.grpc.OneCaGrpcNetty} for the Netty transport with session handling.
 */
package io.oneca.grpc;
