package io.oneca.api;

import java.util.Objects;

/**
 * The store could not be reached or did not answer in time. Transient: the operation may be retried.
 *
 * <p>When {@link #writeOutcomeUnknown()} is {@code true} a write was sent but its reply was lost, so
 * the write may or may not have been applied. Callers must re-read the key before deciding what to
 * do; blindly retrying the write can overwrite a value written by someone else.
 */
public class StoreUnavailableException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String backend;
  private final String key;
  private final boolean writeOutcomeUnknown;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store, for example {@code file:/var/lib/oneca}
   * @param key the store key the operation was for, or {@code null} for store-wide operations
   * @param writeOutcomeUnknown whether a write was sent and may have been applied
   * @param detail what went wrong
   * @param cause the underlying failure, or {@code null}
   */
  public StoreUnavailableException(
      String backend, String key, boolean writeOutcomeUnknown, String detail, Throwable cause) {
    super(
        "store "
            + Objects.requireNonNull(backend, "backend")
            + " unavailable"
            + (key == null ? "" : " for key '" + key + "'")
            + (writeOutcomeUnknown ? " (write outcome unknown: re-read before retrying)" : "")
            + ": "
            + Objects.requireNonNull(detail, "detail"),
        cause);
    this.backend = backend;
    this.key = key;
    this.writeOutcomeUnknown = writeOutcomeUnknown;
  }

  /** Returns the short description of the store that failed. */
  public String backend() {
    return backend;
  }

  /** Returns the key the failed operation was for, or {@code null} for store-wide operations. */
  public String key() {
    return key;
  }

  /** Returns whether a write was sent and may have been applied even though it failed. */
  public boolean writeOutcomeUnknown() {
    return writeOutcomeUnknown;
  }
}
