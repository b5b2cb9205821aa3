package io.oneca.core.health;

/** A health verdict, ordered from best to worst. */
public enum HealthStatus {
  /** Everything checked is as it should be. */
  UP,
  /** Still serving correctly, but something needs attention soon (an expiry, a lagging reload). */
  DEGRADED,
  /** Not able to serve correctly: no CA, an expired certificate, or served material that drifted. */
  DOWN;

  /** Returns the worse of this and {@code other}. */
  public HealthStatus worst(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
