package io.oneca.samples.cloudcore.join;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A join attempt refused or failed, with the {@link JoinError} that says which HTTP status and
 * error code the client gets. The message is what the client reads: a human sentence that never
 * quotes a token, a CSR or any other secret.
 */
public final class JoinRejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final JoinError error;
  private final transient Duration retryAfter;

  /**
   * Creates a rejection.
   *
   * @param error the error code and status
   * @param message a human sentence for the client; no secrets
   */
  public JoinRejection(JoinError error, String message) {
    this(error, message, null, null);
  }

  /**
   * Creates a rejection with the failure that caused it (for the server's log, never sent).
   *
   * @param error the error code and status
   * @param message a human sentence for the client; no secrets
   * @param cause the underlying failure, or {@code null}
   */
  public JoinRejection(JoinError error, String message, Throwable cause) {
    this(error, message, null, cause);
  }

  private JoinRejection(JoinError error, String message, Duration retryAfter, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.error = Objects.requireNonNull(error, "error");
    this.retryAfter = retryAfter;
  }

  /**
   * A {@link JoinError#RATE_LIMITED} rejection.
   *
   * @param retryAfter when the client may try again; rounded up to whole seconds on the wire
   * @return the rejection
   */
  public static JoinRejection rateLimited(Duration retryAfter) {
    Objects.requireNonNull(retryAfter, "retryAfter");
    return new JoinRejection(JoinError.RATE_LIMITED, "too many failed join attempts from this address; retry in "
        + Math.max(1, retryAfter.toSeconds()) + " s", retryAfter, null);
  }

  /** Returns the error code and status. */
  public JoinError error() {
    return error;
  }

  /** Returns how long the client should wait, for {@link JoinError#RATE_LIMITED}. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
