package io.oneca.backend.etcd;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Classifies what jetcd reports, so that writes whose outcome is unknown are told apart. */
final class EtcdErrors {
  /** Answers that prove the request was rejected before anything was applied. */
  private static final Set<Status.Code> REJECTED = EnumSet.of(
      Status.Code.INVALID_ARGUMENT, Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED,
      Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED, Status.Code.OUT_OF_RANGE,
      Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS, Status.Code.UNIMPLEMENTED);

  private EtcdErrors() {}

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static boolean isClosedClient(Throwable failure) {
    return unwrap(failure) instanceof ClosedClientException;
  }

  /** Returns the gRPC status code of a failure, or {@code UNKNOWN} for local failures. */
  static Status.Code code(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof TimeoutException) {
      return Status.Code.DEADLINE_EXCEEDED;
    }
    Status.Code code = Status.fromThrowable(t).getCode();
    if (code == Status.Code.UNKNOWN && t instanceof EtcdException etcd) {
      try {
        return Status.Code.valueOf(etcd.getErrorCode().name());
      } catch (IllegalArgumentException notAGrpcCode) {
        return Status.Code.UNKNOWN;
      }
    }
    return code;
  }

  /**
   * Returns whether a failed write may have been applied: every failure except an answer that
   * proves rejection (a reply lost to a timeout, a broken connection or a leader change may hide
   * an applied write).
   */
  static boolean outcomeUnknown(Throwable failure) {
    return !REJECTED.contains(code(failure)) && !isClosedClient(failure);
  }

  /** A short description of a failure for messages: its status code and etcd's text, no secrets. */
  static String describe(Throwable failure) {
    Throwable t = unwrap(failure);
    String message = t.getMessage();
    return code(failure) + (message == null ? "" : " (" + message + ")");
  }
}
