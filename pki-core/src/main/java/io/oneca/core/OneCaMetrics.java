package io.oneca.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Publishes a replica's state to Micrometer. Micrometer is an optional dependency of OneCA: only
 * applications that call this class need it on their class path.
 *
 * <ul>
 *   <li>{@code oneca.certificate.expiry.seconds} (gauge, tag {@code certificate}: {@code ca} or
 *       {@code identity:<name>}): seconds until the certificate in use expires; alert on it.
 *   <li>{@code oneca.ca.version} (gauge): the store version of the CA in use.
 *   <li>{@code oneca.ca.reloads} / {@code oneca.ca.reload.failures} (counters): newer CA versions
 *       adopted, and stored versions rejected as unusable.
 *   <li>{@code oneca.ca.lineage.refusals} (counter): stored versions refused because their CA does
 *       not continue the line (each version once); alert on any increase.
 *   <li>{@code oneca.ca.lineage.refused} (gauge): 1 while a refused version is the newest in the store.
 *   <li>{@code oneca.ca.regressions} (counter): times the store went backwards (a lower version, or
 *       the same version with other bytes).
 *   <li>{@code oneca.store.errors} (counter): failed store reads and subscriptions.
 *   <li>{@code oneca.identity.renewals} / {@code oneca.identity.renewal.failures} (function counters,
 *       tag {@code identity}).
 *   <li>{@code oneca.drift.detected} (counter): drift checks that found a listener serving the wrong
 *       certificate.
 *   <li>{@code oneca.ca.rotation.prepared} (gauge): 1 while a successor CA is prepared, else 0.
 *   <li>{@code oneca.ca.rotation.retired} (gauge): retired CAs still in the trust bundle.
 *   <li>{@code oneca.ca.rotation.next.seconds} (gauge): seconds until the next rotation step is due
 *       (prepare, or activate when a successor is prepared); negative when overdue.
 * </ul>
 */
@SuppressWarnings("exports") // users of this optional binder require micrometer.core themselves
public final class OneCaMetrics implements MeterBinder {
  private final OneCa oneCa;

  private OneCaMetrics(OneCa oneCa) {
    this.oneCa = oneCa;
  }

  /**
   * Returns a binder for a replica's metrics. Bind it after the identities to report exist; an
   * identity created later is reported after another {@code bindTo}.
   */
  public static OneCaMetrics of(OneCa oneCa) {
    return new OneCaMetrics(Objects.requireNonNull(oneCa, "oneCa"));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    OneCaStats stats = oneCa.stats();
    expiryGauge(registry, "ca", () -> oneCa.ca().chain().get(0));
    Gauge.builder("oneca.ca.version", oneCa, ca -> ca.ca().storeVersion())
        .description("Store version of the CA in use")
        .register(registry);
    FunctionCounter.builder("oneca.ca.reloads", stats, s -> s.reloads.sum())
        .description("Newer CA versions adopted after the bootstrap")
        .register(registry);
    FunctionCounter.builder("oneca.ca.reload.failures", stats, s -> s.reloadFailures.sum())
        .description("Stored CA versions rejected as unusable")
        .register(registry);
    FunctionCounter.builder("oneca.ca.lineage.refusals", stats, s -> s.lineageRefusals.sum())
        .description("Stored CA versions refused because their CA does not continue the line")
        .register(registry);
    Gauge.builder("oneca.ca.lineage.refused", stats, s -> s.refusal() == null ? 0 : 1)
        .description("1 while the store holds a CA version this replica refuses")
        .register(registry);
    FunctionCounter.builder("oneca.ca.regressions", stats, s -> s.regressions.sum())
        .description("Times the store was found behind the version this replica held")
        .register(registry);
    FunctionCounter.builder("oneca.store.errors", stats, s -> s.storeErrors.sum())
        .description("Failed store reads and subscriptions")
        .register(registry);
    FunctionCounter.builder("oneca.drift.detected", stats, s -> s.driftDetected.sum())
        .description("Drift checks that found the wrong certificate served")
        .register(registry);
    CaRotation rotation = oneCa.rotation();
    Gauge.builder("oneca.ca.rotation.prepared", rotation, r -> r.status().prepared().isPresent() ? 1 : 0)
        .description("1 while a successor CA is prepared")
        .register(registry);
    Gauge.builder("oneca.ca.rotation.retired", rotation, r -> r.status().retired().size())
        .description("Retired CAs still in the trust bundle")
        .register(registry);
    Gauge.builder("oneca.ca.rotation.next.seconds", rotation, r -> {
      var status = r.status();
      Instant next = status.prepared().isPresent() ? status.activateAt() : status.prepareAt();
      return Duration.between(oneCa.clock().instant(), next).toMillis() / 1000.0;
    })
        .description("Seconds until the next rotation step is due; negative when overdue")
        .baseUnit("seconds")
        .register(registry);
    for (ManagedIdentity identity : oneCa.identities()) {
      String name = identity.spec().name();
      expiryGauge(registry, "identity:" + name, () -> identity.current().certificate());
      FunctionCounter.builder("oneca.identity.renewals", identity, ManagedIdentity::renewals)
          .tag("identity", name)
          .register(registry);
      FunctionCounter.builder("oneca.identity.renewal.failures", identity, ManagedIdentity::renewalFailures)
          .tag("identity", name)
          .register(registry);
    }
  }

  private void expiryGauge(MeterRegistry registry, String certificate, Supplier<X509Certificate> current) {
    Gauge.builder("oneca.certificate.expiry.seconds", current, supplier -> secondsLeft(supplier.get()))
        .tag("certificate", certificate)
        .description("Seconds until the certificate in use expires")
        .baseUnit("seconds")
        .register(registry);
  }

  private double secondsLeft(X509Certificate certificate) {
    return Duration.between(oneCa.clock().instant(), certificate.getNotAfter().toInstant()).toMillis() / 1000.0;
  }
}
