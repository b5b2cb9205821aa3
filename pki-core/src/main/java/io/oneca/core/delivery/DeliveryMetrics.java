package io.oneca.core.delivery;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;

/**
 * Publishes delivery and resolution health to Micrometer. Micrometer is an optional dependency of
 * OneCA: only applications that call this class need it on their class path.
 *
 * <ul>
 *   <li>{@code oneca.delivery.subscriptions} (gauge, tag {@code hub}): open subscriptions.
 *   <li>{@code oneca.delivery.listener.failures} (function counter, tag {@code hub}): callbacks that
 *       threw.
 *   <li>{@code oneca.delivery.rejected} (function counter, tag {@code hub}): delivery tasks the
 *       executor rejected.
 *   <li>{@code oneca.resolution.failures} (function counter, tag {@code kind}): items that failed to
 *       resolve; alert on its rate.
 *   <li>{@code oneca.resolution.broken} (gauge, tag {@code kind}): items that failed in the last
 *       resolution; {@link Resolver#lastFailedItems()} names them for a health detail.
 * </ul>
 */
@SuppressWarnings("exports") // users of this optional binder require micrometer.core themselves
public final class DeliveryMetrics implements MeterBinder {
  private final String hubName;
  private final DeliveryHub<?> hub;
  private final List<Resolver<?>> resolvers;

  private DeliveryMetrics(String hubName, DeliveryHub<?> hub, List<Resolver<?>> resolvers) {
    this.hubName = hubName;
    this.hub = hub;
    this.resolvers = resolvers;
  }

  /**
   * Returns a binder for a hub and any number of resolvers.
   *
   * @param hubName the {@code hub} tag, for example {@code "trust-bundle"}
   * @param hub the hub
   * @param resolvers resolvers, each tagged with its {@link Resolver#kind()}
   * @return the binder
   */
  public static DeliveryMetrics of(String hubName, DeliveryHub<?> hub, Resolver<?>... resolvers) {
    return new DeliveryMetrics(Objects.requireNonNull(hubName, "hubName"), Objects.requireNonNull(hub, "hub"),
        List.of(resolvers));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("oneca.delivery.subscriptions", hub, DeliveryHub::subscriptionCount)
        .tag("hub", hubName)
        .description("Open delivery subscriptions")
        .register(registry);
    FunctionCounter.builder("oneca.delivery.listener.failures", hub, DeliveryHub::listenerFailures)
        .tag("hub", hubName)
        .description("Delivery callbacks that threw")
        .register(registry);
    FunctionCounter.builder("oneca.delivery.rejected", hub, DeliveryHub::rejectedDeliveries)
        .tag("hub", hubName)
        .description("Delivery tasks rejected by the executor")
        .register(registry);
    for (Resolver<?> resolver : resolvers) {
      FunctionCounter.builder("oneca.resolution.failures", resolver, Resolver::failureCount)
          .tag("kind", resolver.kind())
          .description("Items that failed to resolve")
          .register(registry);
      Gauge.builder("oneca.resolution.broken", resolver, r -> r.lastFailedItems().size())
          .tag("kind", resolver.kind())
          .description("Items that failed in the last resolution")
          .register(registry);
    }
  }
}
