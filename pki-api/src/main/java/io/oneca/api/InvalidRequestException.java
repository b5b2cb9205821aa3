package io.oneca.api;

import java.util.Objects;

/**
 * The caller's input was rejected before anything was stored or issued. Names the offending field
 * so that the message can be shown to whoever supplied it. Retrying the same input fails the same way.
 */
public class InvalidRequestException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the name of the rejected field, for example {@code key} or {@code csr}
   * @param reason why the value was rejected; must not contain key material
   */
  public InvalidRequestException(String field, String reason) {
    this(field, reason, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param field the name of the rejected field
   * @param reason why the value was rejected; must not contain key material
   * @param cause the underlying parse failure, or {@code null}
   */
  public InvalidRequestException(String field, String reason, Throwable cause) {
    super(
        "invalid "
            + Objects.requireNonNull(field, "field")
            + ": "
            + Objects.requireNonNull(reason, "reason"),
        cause);
    this.field = field;
  }

  /** Returns the name of the rejected field. */
  public String field() {
    return field;
  }
}
