package io.oneca.core.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica's health at one instant, fit for a readiness probe: the overall verdict is the worst of
 * the named checks (CA consistency with the store, time to expiry of each certificate, age of the
 * last successful reload, drift between served and stored material).
 *
 * @param status the worst status of {@code checks}
 * @param checkedAt when the report was made
 * @param checks every check, in a stable order
 */
public record HealthReport(HealthStatus status, Instant checkedAt, List<HealthCheck> checks) {

  /** Validates presence and copies the checks. */
  public HealthReport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(checkedAt, "checkedAt");
    checks = List.copyOf(checks);
  }

  /** Builds a report whose status is the worst of its checks ({@code UP} when there are none). */
  public static HealthReport of(Instant checkedAt, List<HealthCheck> checks) {
    HealthStatus worst = HealthStatus.UP;
    for (HealthCheck check : checks) {
      worst = worst.worst(check.status());
    }
    return new HealthReport(worst, checkedAt, checks);
  }

  /** Returns the check with this name. */
  public Optional<HealthCheck> check(String name) {
    return checks.stream().filter(check -> check.name().equals(name)).findFirst();
  }

  /** Returns one line per check, worst first, for logs and plain-text probes. */
  public String describe() {
    StringBuilder text = new StringBuilder(status.name()).append(" at ").append(checkedAt);
    checks.stream()
        .sorted((a, b) -> b.status().compareTo(a.status()))
        .forEach(check -> text.append('\n').append(check.status()).append(' ').append(check.name())
            .append(": ").append(check.detail()));
    return text.toString();
  }
}
