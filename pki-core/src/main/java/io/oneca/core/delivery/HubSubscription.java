package io.oneca.core.delivery;

import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Versioned;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link DeliveryHub} subscription: one pending slot, one drain task at a time, close by epoch. */
final class HubSubscription<T> implements DeliverySubscription {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryHub.class);
  private static final int DELIVERIES_PER_TASK = 16;

  private final DeliveryHub<T> hub;
  private final long epoch;
  private final String consumer;
  private final String item;
  private final Consumer<? super Versioned<T>> listener;
  private final Executor executor;
  private final ReentrantLock invokeLock = new ReentrantLock();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long deliveredVersion;

  // Guarded by "this": the newest version accepted, the value still to deliver, whether a task runs.
  private long acceptedVersion;
  private Versioned<T> pending;
  private boolean drainScheduled;

  HubSubscription(DeliveryHub<T> hub, long epoch, String consumer, String item,
      Consumer<? super Versioned<T>> listener, Executor executor) {
    this.hub = hub;
    this.epoch = epoch;
    this.consumer = consumer;
    this.item = item;
    this.listener = listener;
    this.executor = executor;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public KeyScope scope() {
    return KeyScope.key(item);
  }

  @Override
  public String consumer() {
    return consumer;
  }

  @Override
  public String item() {
    return item;
  }

  @Override
  public long deliveredVersion() {
    return deliveredVersion;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  synchronized void offer(Versioned<T> update) {
    if (closed || update.version() <= acceptedVersion) {
      return;
    }
    acceptedVersion = update.version();
    pending = update;
    scheduleDrain();
  }

  // Guarded by "this".
  private void scheduleDrain() {
    if (drainScheduled || closed || pending == null) {
      return;
    }
    drainScheduled = true;
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      drainScheduled = false;
      hub.countRejectedDelivery();
      LOG.warn("Delivery of item '{}' version {} to consumer '{}' (epoch {}) rejected by the executor; "
          + "the newest value stays pending until the next publish", item, pending.version(), consumer, epoch, e);
    }
  }

  private void drain() {
    boolean finished = false;
    try {
      for (int i = 0; i < DELIVERIES_PER_TASK; i++) {
        Versioned<T> next;
        synchronized (this) {
          next = pending;
          pending = null;
          if (closed || next == null) {
            drainScheduled = false;
            finished = true;
            return;
          }
        }
        deliver(next);
      }
      finished = true;
      synchronized (this) {
        drainScheduled = false;
        scheduleDrain();
      }
    } finally {
      if (!finished) {
        // A callback threw an Error: it propagates to the executor, but later values still arrive.
        synchronized (this) {
          drainScheduled = false;
          scheduleDrain();
        }
      }
    }
  }

  private void deliver(Versioned<T> update) {
    invokeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        listener.accept(update);
      } catch (RuntimeException e) {
        hub.countListenerFailure();
        LOG.warn("Consumer '{}' (epoch {}) failed to take item '{}' version {}", consumer, epoch, item,
            update.version(), e);
      } finally {
        deliveredVersion = update.version();
      }
    } finally {
      invokeLock.unlock();
    }
  }

  @Override
  public void close() {
    closed = true;
    if (closing.compareAndSet(false, true)) {
      hub.unregister(this);
      synchronized (this) {
        pending = null;
      }
    }
    // Wait for a callback in progress (reentrant: a close from inside the callback does not wait
    // for itself). Callbacks starting later see "closed".
    invokeLock.lock();
    invokeLock.unlock();
  }

  @Override
  public String toString() {
    return "DeliverySubscription[epoch=" + epoch + ", consumer=" + consumer + ", item=" + item + "]";
  }
}
