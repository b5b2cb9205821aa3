package io.oneca.samples.cloudcore.join;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes the join audit's counters to Micrometer: {@code cloudcore.join.attempts} (function
 * counter, tag {@code outcome}: {@code issued}, {@code rejected}, {@code rate_limited},
 * {@code failed}). Alert on a rising {@code rejected} or {@code rate_limited} rate.
 */
@SuppressWarnings("exports") // users of this binder require micrometer.core themselves
public final class JoinMetrics implements MeterBinder {
  private final JoinAudit audit;

  private JoinMetrics(JoinAudit audit) {
    this.audit = audit;
  }

  /** Returns a binder for an audit's counters. */
  public static JoinMetrics of(JoinAudit audit) {
    return new JoinMetrics(Objects.requireNonNull(audit, "audit"));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (JoinOutcome outcome : JoinOutcome.values()) {
      FunctionCounter.builder("cloudcore.join.attempts", audit, a -> a.count(outcome))
          .description("Join attempts by outcome")
          .tag("outcome", outcome.tag())
          .register(registry);
    }
  }
}
