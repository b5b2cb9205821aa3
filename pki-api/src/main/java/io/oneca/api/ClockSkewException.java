package io.oneca.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored CA is not valid yet by this replica's clock, by more than the configured clock-skew
 * tolerance: this replica's clock is behind (or the CA was made by a replica whose clock is ahead).
 * The record is fine and is not modified; fix the clock (NTP) and start again.
 */
public class ClockSkewException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long version;
  private final Instant notBefore;
  private final Instant now;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store
   * @param key the store key of the record
   * @param version the store version of the record
   * @param notBefore when the CA becomes valid
   * @param now this replica's time
   * @param tolerance the clock-skew tolerance that was exceeded
   */
  public ClockSkewException(String backend, String key, long version, Instant notBefore, Instant now,
      Duration tolerance) {
    super("clock skew: the CA at key '" + Objects.requireNonNull(key, "key") + "' version " + version + " in "
        + Objects.requireNonNull(backend, "backend") + " is not valid before " + notBefore + ", but this replica's "
        + "clock says " + now + ": " + Duration.between(now, notBefore).toSeconds() + " s behind, more than the "
        + "tolerance of " + tolerance.toSeconds() + " s. Fix this replica's clock; the record is not modified");
    this.key = key;
    this.version = version;
    this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
    this.now = Objects.requireNonNull(now, "now");
  }

  /** Returns the store key of the record. */
  public String key() {
    return key;
  }

  /** Returns the store version of the record. */
  public long version() {
    return version;
  }

  /** Returns when the CA becomes valid. */
  public Instant notBefore() {
    return notBefore;
  }

  /** Returns this replica's time when the CA was checked. */
  public Instant now() {
    return now;
  }
}
