package io.oneca.core.delivery;

import io.oneca.api.store.Subscription;

/**
 * One consumer's subscription to one item of a {@link DeliveryHub}. Its {@link #epoch()} is unique
 * within the hub and grows with every subscription, so that a transport can tell a consumer's
 * current connection from an old one: closing an old subscription never touches a newer one of the
 * same consumer.
 *
 * <p>{@link #close()} is synchronous and idempotent: when it returns, no callback of this
 * subscription is running (unless close was called from inside that callback) and none will start.
 * Its {@link #scope()} is the exact key of its {@link #item()}.
 */
public interface DeliverySubscription extends Subscription {

  /** Returns the consumer that subscribed, as given to {@link DeliveryHub#subscribe}. */
  String consumer();

  /** Returns the item subscribed to. */
  String item();

  /**
   * Returns the version of the newest value whose callback has returned (normally or not), or
   * {@code 0} if none has yet. It only grows.
   */
  long deliveredVersion();
}
