package io.oneca.backend.zk;

import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import java.util.concurrent.CompletionException;
import org.apache.zookeeper.KeeperException;

/** Turns ZooKeeper and Curator failures into the store SPI's typed exceptions. */
final class Errors {
  private Errors() {}

  /** Whether a write that failed this way may nevertheless have been applied. */
  static boolean outcomeUnknown(Throwable t) {
    if (t instanceof KeeperException e) {
      return switch (e.code()) {
        case CONNECTIONLOSS, OPERATIONTIMEOUT, SESSIONEXPIRED, SESSIONMOVED, REQUESTTIMEOUT -> true;
        default -> false;
      };
    }
    return false;
  }

  static OneCaException translate(String backend, String key, String operation, boolean hasCredentials, Throwable t) {
    if (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof OneCaException e) {
      return e;
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new StoreUnavailableException(backend, key, false, operation + " interrupted", t);
    }
    if (t instanceof KeeperException.NoAuthException || t instanceof KeeperException.AuthFailedException) {
      return new ZooKeeperAccessDeniedException(backend, key, operation,
          "ZooKeeper " + ((KeeperException) t).code() + ": the znode's ACL does not grant this client's identity ("
              + (hasCredentials ? "the configured digest user" : "no credentials configured")
              + ") the needed permission; OneCA's nodes can be changed only with OneCA's digest credentials", t);
    }
    if (t instanceof KeeperException e) {
      return new StoreUnavailableException(backend, key, false,
          operation + " failed: ZooKeeper " + e.code() + (e.getPath() == null ? "" : " at " + e.getPath()), t);
    }
    return new StoreUnavailableException(backend, key, false, operation + " failed: " + t, t);
  }
}
