package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeliveryMetricsTest {

  @Test
  void bindTo_reportsSubscriptionsListenerFailuresAndResolutionFailures() {
    ManualExecutor executor = new ManualExecutor();
    DeliveryHub<String> hub = DeliveryHub.create(executor);
    hub.subscribe("edge-1", "bundle", v -> {
      throw new IllegalStateException("bug");
    });
    hub.publish("bundle", 1, "v1");
    executor.runAll();
    Resolver<String> secrets = Resolver.of("secret", name -> name.equals("missing") ? null : name);
    secrets.resolve(List.of("a", "missing", "b"));

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DeliveryMetrics.of("trust-bundle", hub, secrets).bindTo(registry);

    assertThat(registry.get("oneca.delivery.subscriptions").tag("hub", "trust-bundle").gauge().value()).isEqualTo(1.0);
    assertThat(registry.get("oneca.delivery.listener.failures").functionCounter().count()).isEqualTo(1.0);
    assertThat(registry.get("oneca.resolution.failures").tag("kind", "secret").functionCounter().count()).isEqualTo(1.0);
    assertThat(registry.get("oneca.resolution.broken").tag("kind", "secret").gauge().value()).isEqualTo(1.0);
  }
}
