package io.oneca.backend.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every unary etcd call (get, txn, compact) a gRPC deadline, so that a request that cannot
 * be sent is cancelled instead of waiting for a connection and reaching etcd long after its caller
 * gave up. Streams (watch, lease keep-alive) are left alone.
 */
final class DeadlineInterceptor implements ClientInterceptor {
  private final long timeoutNanos;

  DeadlineInterceptor(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
      return next.newCall(method, options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS));
    }
    return next.newCall(method, options);
  }
}
