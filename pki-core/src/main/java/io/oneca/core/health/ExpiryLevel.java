package io.oneca.core.health;

/** How close a certificate is to its expiry, as judged by {@link ExpiryThresholds}. */
public enum ExpiryLevel {
  /** Plenty of lifetime left. */
  OK,
  /** Past the warning threshold: renewal or rotation should already have happened. */
  WARNING,
  /** Past the critical threshold: expiry is imminent. */
  CRITICAL,
  /** Expired (or not yet valid). */
  EXPIRED
}
