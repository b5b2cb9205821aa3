package io.oneca.samples.cloudcore.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthReport;
import io.oneca.core.health.HealthStatus;
import io.oneca.samples.cloudcore.http.Exchanges;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations endpoints on the public listener: {@code /healthz} (alive), {@code /readyz}
 * (OneCA's health report; 503 when it is DOWN), {@code /v1/status} (the CA and serving certificate
 * in use, for the demo's table) and {@code /metrics} (Prometheus text).
 */
final class OpsHandler implements HttpHandler {
  private final String replicaId;
  private final OneCa oneCa;
  private final ManagedIdentity identity;
  private final HubStats stats;
  private final MeterRegistry registry;

  OpsHandler(String replicaId, OneCa oneCa, ManagedIdentity identity, HubStats stats, MeterRegistry registry) {
    this.replicaId = replicaId;
    this.oneCa = oneCa;
    this.identity = identity;
    this.stats = stats;
    this.registry = registry;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET")) {
      Exchanges.sendError(exchange, 405, "method_not_allowed", "use GET");
      return;
    }
    switch (exchange.getRequestURI().getPath()) {
      case "/healthz" -> Exchanges.sendJson(exchange, 200, Map.of("status", "alive", "replica", replicaId));
      case "/readyz" -> {
        HealthReport report = oneCa.health();
        Exchanges.sendJson(exchange, report.status() == HealthStatus.DOWN ? 503 : 200, describe(report));
      }
      case "/v1/status" -> Exchanges.sendJson(exchange, 200, status());
      case "/metrics" -> Exchanges.send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
          Exchanges.utf8(PrometheusText.render(registry)));
      default -> Exchanges.sendError(exchange, 404, "not_found", "no such endpoint");
    }
  }

  private Map<String, Object> describe(HealthReport report) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("replica", replicaId);
    body.put("status", report.status().name());
    body.put("checkedAt", report.checkedAt().toString());
    List<Map<String, String>> checks = new ArrayList<>();
    for (HealthCheck check : report.checks()) {
      checks.add(Map.of("name", check.name(), "status", check.status().name(), "detail", check.detail()));
    }
    body.put("checks", checks);
    return body;
  }

  private Map<String, Object> status() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("replica", replicaId);
    body.put("caFingerprint", oneCa.ca().fingerprint().sha256Hex());
    body.put("caVersion", oneCa.ca().storeVersion());
    body.put("servingSerial", identity.current().certificate().getSerialNumber().toString(16));
    body.put("servingNotAfter", identity.current().notAfter().toString());
    body.put("openStreams", stats.openStreams());
    body.put("renewals", stats.renewals());
    body.put("health", oneCa.health().status().name());
    return body;
  }
}
