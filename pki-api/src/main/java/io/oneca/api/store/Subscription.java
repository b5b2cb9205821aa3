package io.oneca.api.store;

/**
 * A live subscription to store changes. Each has a unique {@link #epoch()}, so that closing an old
 * subscription can never remove a newer one for the same key or consumer: the fast-reconnect bug
 * where a late cleanup of the old stream silently stopped updates to the new one cannot happen.
 */
public interface Subscription extends AutoCloseable {

  /**
   * Returns this subscription's epoch: unique among all subscriptions of the same store client,
   * and greater than the epoch of every subscription created before it by that client.
   */
  long epoch();

  /** Returns the keys this subscription covers. */
  KeyScope scope();

  /** Returns whether {@link #close()} was called (or the store was closed). */
  boolean isClosed();

  /**
   * Removes this subscription, and only this one. Synchronous: when it returns, the listener is not
   * running for this subscription (unless {@code close} was called from the listener itself) and will
   * not be called again. Idempotent. Never throws.
   */
  @Override
  void close();
}
