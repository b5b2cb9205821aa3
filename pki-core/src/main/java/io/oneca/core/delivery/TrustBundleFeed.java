package io.oneca.core.delivery;

import io.oneca.api.CaView;
import io.oneca.core.OneCa;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the CA a replica uses (its trust bundle, chain and store version) into a {@link DeliveryHub}
 * item: the current state at once, then every version the replica adopts. Consumers subscribed to
 * the item therefore always hold the newest bundle (level-triggered), and their acknowledgements of
 * the delivered store versions are what {@link io.oneca.core.rotation.ActivationCondition#acknowledged}
 * gates activation on.
 */
public final class TrustBundleFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrustBundleFeed.class);

  private final AutoCloseable registration;

  private TrustBundleFeed(AutoCloseable registration) {
    this.registration = registration;
  }

  /**
   * Publishes {@code oneCa}'s CA to {@code item} on {@code hub} now and on every change.
   *
   * @param oneCa a started replica
   * @param hub the hub consumers subscribe to
   * @param item the item name, for example {@code trust-bundle}
   * @return the feed; closing it stops publishing (the hub keeps the last value)
   * @throws IllegalStateException if {@code oneCa} has not completed its bootstrap
   */
  public static TrustBundleFeed start(OneCa oneCa, DeliveryHub<CaView> hub, String item) {
    Objects.requireNonNull(oneCa, "oneCa");
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(item, "item");
    AutoCloseable registration = oneCa.onCaChange(ca -> hub.publish(item, ca.storeVersion(), ca));
    // Registered first, published second: a change between the two is published by the listener,
    // and the hub ignores whichever of the two arrives older.
    CaView current = oneCa.ca();
    hub.publish(item, current.storeVersion(), current);
    return new TrustBundleFeed(registration);
  }

  @Override
  public void close() {
    try {
      registration.close();
    } catch (Exception e) {
      LOG.warn("Cannot remove the trust bundle feed's CA listener", e);
    }
  }
}
