package io.oneca.core.delivery;

import java.util.Objects;

/**
 * The outcome of resolving one named item (a trust bundle, a secret reference, a tenant's CA):
 * either its value or a failure that names the item and its cause. Resolving many items yields one
 * result per item, so that one broken item never hides the good ones (Kuma incident 3).
 *
 * @param <T> the type of a resolved value
 */
public sealed interface ItemResult<T> {

  /** Returns the item's name. */
  String name();

  /** Returns whether the item was resolved. */
  default boolean isResolved() {
    return this instanceof Resolved;
  }

  /**
   * A resolved item.
   *
   * @param name the item's name
   * @param value its value
   * @param <T> the type of the value
   */
  record Resolved<T>(String name, T value) implements ItemResult<T> {
    /** Validates the fields. */
    public Resolved {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "Resolved[" + name + "]";
    }
  }

  /**
   * An item that could not be resolved.
   *
   * @param name the item's name
   * @param cause what went wrong; never carries the item's secret value, since resolution failed
   * @param message a one-line description naming the item and the cause, safe to log and to show
   *     in a health detail
   * @param <T> the type a resolved value would have had
   */
  record Failed<T>(String name, Throwable cause, String message) implements ItemResult<T> {
    /** Validates the fields. */
    public Failed {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(message, "message");
    }

    /** Returns a failure whose message is {@code "<name>: <cause type>: <cause message>"}. */
    public static <T> Failed<T> of(String name, Throwable cause) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(cause, "cause");
      String detail = cause.getMessage() == null ? "" : ": " + cause.getMessage();
      return new Failed<>(name, cause, name + ": " + cause.getClass().getSimpleName() + detail);
    }

    @Override
    public String toString() {
      return "Failed[" + message + "]";
    }
  }
}
