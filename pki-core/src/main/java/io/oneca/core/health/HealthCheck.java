package io.oneca.core.health;

import java.util.Objects;

/**
 * One named check of a {@link HealthReport}, for example {@code ca-consistency} or
 * {@code expiry:ca}.
 *
 * @param name a stable name to alert on
 * @param status the check's verdict
 * @param detail a sentence for operators; never contains key material
 */
public record HealthCheck(String name, HealthStatus status, String detail) {
  /** Validates presence. */
  public HealthCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }
}
