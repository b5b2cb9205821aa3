package io.oneca.samples.cloudcore.edge;

import java.io.IOException;

/** A replica refused an edge's join for a reason that retrying will not fix (bad token, bad CSR). */
public final class JoinRefusedException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status
   * @param code the replica's error code
   * @param message the replica's message
   */
  public JoinRefusedException(int status, String code, String message) {
    super("join refused with HTTP " + status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the replica's error code. */
  public String code() {
    return code;
  }
}
