package io.oneca.spring;

import io.oneca.api.CaView;
import io.oneca.core.OneCa;
import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthReport;
import io.oneca.core.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * Spring Boot's view of {@link OneCa#health()}: {@code UP} and {@code DOWN} map to Spring's, and
 * {@code DEGRADED} (still serving, something needs attention soon) to the status
 * {@value #DEGRADED_CODE}. The details hold every check by name and the CA fingerprint and store
 * version this replica uses (what {@code oneca verify --replica-url} reads). Reads memory only, no
 * store round trip, so it is cheap enough for a readiness probe.
 */
public final class OneCaHealthIndicator implements HealthIndicator {
  /** The status code of a degraded replica. */
  public static final String DEGRADED_CODE = "DEGRADED";
  /** A degraded replica: still serving correctly, but something needs attention soon. */
  public static final Status DEGRADED = new Status(DEGRADED_CODE, "serving, but something needs attention soon");

  private final OneCa oneCa;

  /**
   * Creates the indicator.
   *
   * @param oneCa the started OneCa to report on
   */
  public OneCaHealthIndicator(OneCa oneCa) {
    this.oneCa = Objects.requireNonNull(oneCa, "oneCa");
  }

  @Override
  public Health health() {
    HealthReport report = oneCa.health();
    Health.Builder health = Health.status(status(report.status()));
    health.withDetail("replicaId", oneCa.replicaId());
    health.withDetail("checkedAt", report.checkedAt().toString());
    try {
      CaView ca = oneCa.ca();
      health.withDetail("caFingerprint", ca.fingerprint().sha256Hex());
      health.withDetail("caVersion", ca.storeVersion());
      health.withDetail("caNotAfter", ca.notAfter().toString());
    } catch (IllegalStateException e) {
      // No CA adopted (not started, or closed): the checks say so.
    }
    Map<String, Map<String, String>> checks = new LinkedHashMap<>();
    for (HealthCheck check : report.checks()) {
      checks.put(check.name(), Map.of("status", check.status().name(), "detail", check.detail()));
    }
    health.withDetail("checks", checks);
    return health.build();
  }

  static Status status(HealthStatus status) {
    return switch (status) {
      case UP -> Status.UP;
      case DEGRADED -> DEGRADED;
      case DOWN -> Status.DOWN;
    };
  }
}
