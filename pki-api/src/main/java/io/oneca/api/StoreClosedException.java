package io.oneca.api;

import java.util.Objects;

/** An operation was attempted on a store client after {@code close()}. Not retryable. */
public class StoreClosedException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String backend;

  /**
   * Creates the exception.
   *
   * @param backend short description of the closed store
   */
  public StoreClosedException(String backend) {
    super("store " + Objects.requireNonNull(backend, "backend") + " is closed");
    this.backend = backend;
  }

  /** Returns the short description of the closed store. */
  public String backend() {
    return backend;
  }
}
