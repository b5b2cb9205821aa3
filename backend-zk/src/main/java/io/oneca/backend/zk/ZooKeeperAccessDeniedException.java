package io.oneca.backend.zk;

import io.oneca.api.OneCaException;
import java.util.Objects;

/**
 * ZooKeeper refused an operation because this client's identity lacks the permission the znode's
 * ACL requires (ZooKeeper {@code NoAuth}), or its credentials were rejected ({@code AuthFailed}).
 * Nothing was written. Not transient: retrying with the same credentials fails the same way.
 *
 * <p>This is how a client without OneCA's digest credentials learns that it cannot change the CA
 * record: the message names the backend, the store key and the operation, never a credential.
 */
public final class ZooKeeperAccessDeniedException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String backend;
  private final String key;
  private final String operation;

  /**
   * Creates the exception.
   *
   * @param backend the store's {@link io.oneca.api.store.VersionedStore#backend()}
   * @param key the store key the operation was for
   * @param operation what was refused, for example {@code compareAndSet}
   * @param detail what ZooKeeper said and what to check
   * @param cause the ZooKeeper exception
   */
  public ZooKeeperAccessDeniedException(
      String backend, String key, String operation, String detail, Throwable cause) {
    super("store " + Objects.requireNonNull(backend, "backend") + " denied " + Objects.requireNonNull(operation, "operation")
        + " of key '" + Objects.requireNonNull(key, "key") + "': " + Objects.requireNonNull(detail, "detail"), cause);
    this.backend = backend;
    this.key = key;
    this.operation = operation;
  }

  /** Returns the short description of the store that refused. */
  public String backend() {
    return backend;
  }

  /** Returns the store key the refused operation was for. */
  public String key() {
    return key;
  }

  /** Returns the refused operation: {@code get}, {@code compareAndSet}, {@code delete}, {@code list} or {@code subscribe}. */
  public String operation() {
    return operation;
  }
}
