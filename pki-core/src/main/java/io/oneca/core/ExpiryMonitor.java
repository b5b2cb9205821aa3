package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.core.health.ExpiryAlert;
import io.oneca.core.health.ExpiryLevel;
import io.oneca.core.health.ExpiryThresholds;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises an {@link ExpiryAlert} when a tracked certificate's {@link ExpiryLevel} changes between
 * two checks: entering a warning, becoming critical, expiring, or recovering after a renewal.
 */
final class ExpiryMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiryMonitor.class);

  private final ExpiryThresholds thresholds;
  private final Map<String, ExpiryLevel> levels = new HashMap<>();
  private final List<Consumer<ExpiryAlert>> listeners = new CopyOnWriteArrayList<>();

  ExpiryMonitor(ExpiryThresholds thresholds) {
    this.thresholds = thresholds;
  }

  ExpiryThresholds thresholds() {
    return thresholds;
  }

  AutoCloseable onAlert(Consumer<ExpiryAlert> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  ExpiryLevel level(X509Certificate certificate, Instant now) {
    return thresholds.level(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), now);
  }

  /** Judges every certificate by name and raises alerts for the levels that changed. */
  List<ExpiryAlert> check(Map<String, X509Certificate> certificates, Instant now) {
    List<ExpiryAlert> alerts = new ArrayList<>();
    synchronized (levels) {
      levels.keySet().retainAll(certificates.keySet());
      for (Map.Entry<String, X509Certificate> entry : certificates.entrySet()) {
        ExpiryLevel level = level(entry.getValue(), now);
        ExpiryLevel previous = levels.getOrDefault(entry.getKey(), ExpiryLevel.OK);
        levels.put(entry.getKey(), level);
        if (level != previous) {
          alerts.add(new ExpiryAlert(entry.getKey(), level, previous, Fingerprint.of(entry.getValue()),
              entry.getValue().getNotAfter().toInstant(), now));
        }
      }
    }
    for (ExpiryAlert alert : alerts) {
      if (alert.level() == ExpiryLevel.OK) {
        LOG.info("Certificate {} ({}) is no longer close to expiry; it expires {}", alert.certificate(),
            alert.fingerprint().shortForm(), alert.notAfter());
      } else {
        LOG.warn("Certificate {} ({}) is {}: it expires {}", alert.certificate(), alert.fingerprint().shortForm(),
            alert.level(), alert.notAfter());
      }
      for (Consumer<ExpiryAlert> listener : listeners) {
        try {
          listener.accept(alert);
        } catch (RuntimeException e) {
          LOG.warn("An expiry listener failed", e);
        }
      }
    }
    return alerts;
  }
}
