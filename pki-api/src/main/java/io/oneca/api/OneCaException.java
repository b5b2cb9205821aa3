package io.oneca.api;

/**
 * Base of every failure OneCA reports. Unchecked, because callers rarely can do more than log and
 * retry; the typed subclasses say which of those applies.
 *
 * <ul>
 *   <li>{@link StoreUnavailableException}: transient, retry (a write's outcome may be unknown).
 *   <li>{@link UnreadableRecordException}: a stored value cannot be used; OneCA never overwrites it.
 *   <li>{@link InvalidRequestException}: the caller's input is wrong; names the field.
 *   <li>{@link StoreClosedException}: the store client was closed.
 *   <li>{@link CaLineageException}: the CA record is gone but a CA existed; no new CA is founded.
 *   <li>{@link ClockSkewException}: the stored CA is not valid yet by this replica's clock.
 * </ul>
 *
 * <p>Messages name the store key, version and backend where they apply, never key material.
 */
public class OneCaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and an optional cause.
   *
   * @param message what failed, naming the key and backend where they apply
   * @param cause the underlying failure, or {@code null}
   */
  public OneCaException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception with a message.
   *
   * @param message what failed, naming the key and backend where they apply
   */
  public OneCaException(String message) {
    super(message);
  }
}
