package io.oneca.api;

import java.util.Objects;

/**
 * A stored record exists but cannot be used: it is garbage, truncated, of a schema newer than this
 * version of OneCA understands, or its content is invalid (for example a CA key that does not match
 * its certificate).
 *
 * <p>OneCA fails closed on such a record and never overwrites it with a fresh one: an operator must
 * look at it (it may be a newer OneCA's record, or a record that can be repaired) and delete or
 * replace it deliberately.
 */
public class UnreadableRecordException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String backend;
  private final String key;
  private final long version;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store that holds the record
   * @param key the store key of the record
   * @param version the store version of the record, or {@code 0} when not known
   * @param reason why the record cannot be used
   * @param cause the underlying parse failure, or {@code null}
   */
  public UnreadableRecordException(
      String backend, String key, long version, String reason, Throwable cause) {
    super(
        "record '"
            + Objects.requireNonNull(key, "key")
            + "'"
            + (version > 0 ? " at version " + version : "")
            + " in "
            + Objects.requireNonNull(backend, "backend")
            + " is unreadable and will not be overwritten: "
            + Objects.requireNonNull(reason, "reason"),
        cause);
    this.backend = backend;
    this.key = key;
    this.version = version;
  }

  /** Returns the short description of the store that holds the record. */
  public String backend() {
    return backend;
  }

  /** Returns the store key of the unreadable record. */
  public String key() {
    return key;
  }

  /** Returns the store version of the unreadable record, or {@code 0} when not known. */
  public long version() {
    return version;
  }
}
