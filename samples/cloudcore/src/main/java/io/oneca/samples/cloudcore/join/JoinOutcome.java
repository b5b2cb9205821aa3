package io.oneca.samples.cloudcore.join;

import java.util.Locale;

/** How a join attempt ended, as audited and counted. */
public enum JoinOutcome {
  /** A certificate was issued (200). */
  ISSUED,
  /** The client's request was refused (4xx other than 429); charged to the rate limiter. */
  REJECTED,
  /** The source was over its failure budget (429); the body was not read. */
  RATE_LIMITED,
  /** The server could not serve it (5xx); not the client's fault, not charged. */
  FAILED;

  /** Returns the lowercase name used in logs and metric tags, for example {@code rate_limited}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
