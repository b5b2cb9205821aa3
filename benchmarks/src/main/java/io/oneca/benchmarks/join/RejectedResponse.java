package io.oneca.benchmarks.join;

/**
 * A signer's answer that does not count as throughput: an HTTP error, an unsuccessful or malformed
 * result, or a certificate that does not certify the request's key. The message is a short error
 * category (it becomes a key in the driver's error counts), without response data. No stack trace
 * is captured: wrong answers can be frequent under load.
 */
public final class RejectedResponse extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates a rejection.
   *
   * @param reason a short error category, e.g. {@code http 400} or {@code key mismatch}
   */
  public RejectedResponse(String reason) {
    super(reason, null, false, false);
  }
}
