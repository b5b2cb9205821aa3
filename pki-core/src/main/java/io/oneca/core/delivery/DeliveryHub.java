package io.oneca.core.delivery;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Pushes versioned items (an identity per edge node, the shared trust bundle) to many consumers.
 *
 * <p>Guarantees, the same as {@link io.oneca.api.store.spi.SubscriptionRegistry} gives store
 * subscribers:
 *
 * <ul>
 *   <li><b>Unique epochs, close by epoch.</b> Every {@link #subscribe} returns a subscription with a
 *       new epoch. Closing it removes that epoch only, synchronously, so a late cleanup of a
 *       consumer's old connection cannot remove the subscription of its new one (Kuma incident).
 *   <li><b>Level-triggered.</b> A new subscription receives the item's latest value at once; no
 *       event has to be caught while it connects.
 *   <li><b>Forward only.</b> {@link #publish} ignores a version not newer than the item's latest,
 *       and each subscription receives strictly increasing versions.
 *   <li><b>Coalescing, bounded memory.</b> A slow consumer gets only the newest pending value: at
 *       most one value is pending per subscription, however fast the item changes.
 *   <li><b>Isolated callbacks.</b> Callbacks run on the hub's executor, never concurrently for one
 *       subscription; a callback that throws is logged and counted in {@link #listenerFailures()}
 *       and affects no one else, not even later deliveries to the same subscription.
 * </ul>
 *
 * <p>Values are shared, not copied: publish immutable values. The hub keeps the latest value of
 * every item ever published until {@link #remove(String)} is called.
 *
 * @param <T> the type of the items' values
 */
public final class DeliveryHub<T> implements AutoCloseable {
  private final Executor executor;
  private final AtomicLong lastEpoch = new AtomicLong();
  private final Map<String, Versioned<T>> latest = new ConcurrentHashMap<>();
  private final Map<String, Map<Long, HubSubscription<T>>> subscribers = new ConcurrentHashMap<>();
  private final LongAdder listenerFailures = new LongAdder();
  private final LongAdder rejectedDeliveries = new LongAdder();
  private volatile boolean closed;

  private DeliveryHub(Executor executor) {
    this.executor = executor;
  }

  /**
   * Creates an empty hub.
   *
   * @param executor runs every callback; it should not run tasks on the publishing thread if
   *     publishers must not wait for slow consumers. A rejected task is logged and counted in
   *     {@link #rejectedDeliveries()}; that subscription receives the newest value on the next publish.
   * @param <T> the type of the items' values
   * @return the hub
   */
  public static <T> DeliveryHub<T> create(Executor executor) {
    return new DeliveryHub<>(Objects.requireNonNull(executor, "executor"));
  }

  /**
   * Subscribes a consumer to an item. If the item has a value, it is delivered at once (on the
   * executor); later values follow, coalesced if the consumer is slower than the publisher.
   *
   * @param consumer who subscribes (for example the edge node's name), for the status views; a
   *     consumer may hold several subscriptions, also to the same item
   * @param item the item's name
   * @param listener receives each value
   * @return the subscription, with a new epoch
   * @throws StoreClosedException if the hub is closed
   */
  public DeliverySubscription subscribe(String consumer, String item, Consumer<? super Versioned<T>> listener) {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      throw new StoreClosedException("delivery-hub");
    }
    HubSubscription<T> subscription =
        new HubSubscription<>(this, lastEpoch.incrementAndGet(), consumer, item, listener, executor);
    subscribers.computeIfAbsent(item, k -> new ConcurrentHashMap<>()).put(subscription.epoch(), subscription);
    // Register first, then read: a publish that this read misses finds the registered subscription.
    Versioned<T> current = latest.get(item);
    if (current != null) {
      subscription.offer(current);
    }
    if (closed) {
      subscription.close();
      throw new StoreClosedException("delivery-hub");
    }
    return subscription;
  }

  /**
   * Publishes a new version of an item to every subscription of it.
   *
   * @param item the item's name
   * @param version the new version, positive
   * @param value the new value
   * @return {@code true} if it became the item's latest; {@code false} if the item already had this
   *     version or a newer one (nothing is delivered then)
   * @throws IllegalArgumentException if {@code version} is not positive
   * @throws StoreClosedException if the hub is closed
   */
  public boolean publish(String item, long version, T value) {
    Versioned<T> update = new Versioned<>(item, value, version);
    if (closed) {
      throw new StoreClosedException("delivery-hub");
    }
    boolean[] accepted = new boolean[1];
    latest.compute(item, (k, previous) -> {
      if (previous != null && previous.version() >= version) {
        return previous;
      }
      accepted[0] = true;
      return update;
    });
    if (!accepted[0]) {
      return false;
    }
    Map<Long, HubSubscription<T>> ofItem = subscribers.get(item);
    if (ofItem != null) {
      for (HubSubscription<T> subscription : ofItem.values()) {
        subscription.offer(update);
      }
    }
    return true;
  }

  /** Returns the latest published value of an item, if any. */
  public Optional<Versioned<T>> latest(String item) {
    return Optional.ofNullable(latest.get(Objects.requireNonNull(item, "item")));
  }

  /**
   * Forgets an item's latest value (for example an edge node that was decommissioned), so that the
   * hub no longer holds it. Open subscriptions stay open and keep their guarantee: they receive only
   * versions newer than the newest they already accepted.
   */
  public void remove(String item) {
    latest.remove(Objects.requireNonNull(item, "item"));
  }

  /**
   * Returns the consumers that hold at least one open subscription to an item, sorted: the live
   * subscribers an {@link ActivationGate} waits for.
   */
  public Set<String> liveConsumers(String item) {
    Map<Long, HubSubscription<T>> ofItem = subscribers.get(Objects.requireNonNull(item, "item"));
    Set<String> consumers = new TreeSet<>();
    if (ofItem != null) {
      for (HubSubscription<T> subscription : ofItem.values()) {
        consumers.add(subscription.consumer());
      }
    }
    return Collections.unmodifiableSet(consumers);
  }

  /** Returns the open subscriptions to an item, oldest epoch first. */
  public List<DeliverySubscription> subscriptions(String item) {
    Map<Long, HubSubscription<T>> ofItem = subscribers.get(Objects.requireNonNull(item, "item"));
    List<DeliverySubscription> open = new ArrayList<>(ofItem == null ? List.of() : ofItem.values());
    open.sort((a, b) -> Long.compare(a.epoch(), b.epoch()));
    return List.copyOf(open);
  }

  /** Returns the number of open subscriptions, over all items. */
  public int subscriptionCount() {
    int count = 0;
    for (Map<Long, HubSubscription<T>> ofItem : subscribers.values()) {
      count += ofItem.size();
    }
    return count;
  }

  /** Returns how many callbacks have thrown since the hub was created. */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  /** Returns how many delivery tasks the executor rejected since the hub was created. */
  public long rejectedDeliveries() {
    return rejectedDeliveries.sum();
  }

  /** Closes every subscription; later calls to {@link #subscribe} and {@link #publish} fail. */
  @Override
  public void close() {
    closed = true;
    for (Map<Long, HubSubscription<T>> ofItem : subscribers.values()) {
      for (HubSubscription<T> subscription : new ArrayList<>(ofItem.values())) {
        subscription.close();
      }
    }
  }

  // Called by a closing subscription: removes exactly its own epoch, never another of the consumer.
  void unregister(HubSubscription<T> subscription) {
    Map<Long, HubSubscription<T>> ofItem = subscribers.get(subscription.item());
    if (ofItem != null) {
      ofItem.remove(subscription.epoch(), subscription);
    }
  }

  void countListenerFailure() {
    listenerFailures.increment();
  }

  void countRejectedDelivery() {
    rejectedDeliveries.increment();
  }
}
