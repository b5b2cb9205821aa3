package io.oneca.api.store.spi;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscription half of a {@link io.oneca.api.store.VersionedStore}, for store implementers, so
 * that every backend gives subscribers the same guarantees: unique epochs, synchronous close that
 * removes only its own epoch, level-triggered delivery that never goes backwards per key, coalescing
 * of pending states for slow listeners, and listener calls that never overlap and never run on the
 * backend's threads.
 *
 * <p>A backend registers each subscription, then reports what it observes: single changes with
 * {@link #publish} and authoritative reads (the initial state, a resync after a reconnect or a
 * compacted history) with {@link #publishSnapshot}. The backend must report observations of a key
 * in the order the store applied them (for example from one watch stream, or reads serialized with
 * it); the registry then drops anything older than what a subscriber already has, so re-reads and
 * duplicate events are harmless.
 *
 * <p>Memory per subscription is bounded by the number of distinct keys in its scope: one pending
 * state per key, however fast changes arrive.
 */
public final class SubscriptionRegistry {
  private static final System.Logger LOG = System.getLogger(SubscriptionRegistry.class.getName());
  private static final int DELIVERIES_PER_TASK = 64;

  private final String backend;
  private final AtomicLong lastEpoch = new AtomicLong();
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates an empty registry.
   *
   * @param backend the store's {@link io.oneca.api.store.VersionedStore#backend()} for messages
   */
  public SubscriptionRegistry(String backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /**
   * Registers a subscription. Nothing is delivered until the backend publishes the current state;
   * register first, then read, so that no change between the two is missed.
   *
   * @param scope the keys covered
   * @param listener the listener
   * @param executor runs the listener
   * @return the subscription, with a new epoch
   * @throws StoreClosedException if {@link #closeAll()} was called
   */
  public Subscription register(KeyScope scope, StoreListener listener, Executor executor) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    if (closed) {
      throw new StoreClosedException(backend);
    }
    Entry entry = new Entry(lastEpoch.incrementAndGet(), scope, listener, executor);
    entries.put(entry.epoch, entry);
    if (closed) {
      entry.close();
      throw new StoreClosedException(backend);
    }
    return entry;
  }

  /**
   * Reports one observed state of a key to every subscription that covers it.
   *
   * @param key the key
   * @param state its value and version, or empty if it was deleted
   */
  public void publish(String key, Optional<Versioned<byte[]>> state) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    for (Entry entry : entries.values()) {
      if (entry.scope.contains(key)) {
        entry.offer(key, state);
      }
    }
  }

  /**
   * Reports an authoritative read of every key in {@code authority}: the listed values are present,
   * every other key in {@code authority} is absent. Subscribers that knew a key in it as present
   * and do not find it in the list receive its absence; a single-key subscriber whose key is not
   * listed receives an empty state (its initial state, if it had none).
   *
   * @param authority the keys the read covered
   * @param present the values read; keys outside {@code authority} are ignored
   */
  public void publishSnapshot(KeyScope authority, Collection<Versioned<byte[]>> present) {
    Objects.requireNonNull(authority, "authority");
    Map<String, Versioned<byte[]>> byKey = new HashMap<>();
    for (Versioned<byte[]> value : present) {
      if (authority.contains(value.key())) {
        byKey.put(value.key(), value);
      }
    }
    for (Entry entry : entries.values()) {
      entry.applySnapshot(authority, byKey);
    }
  }

  /** Returns the scopes of the open subscriptions (with repeats), for backends that poll or watch per scope. */
  public List<KeyScope> activeScopes() {
    List<KeyScope> scopes = new ArrayList<>();
    for (Entry entry : entries.values()) {
      scopes.add(entry.scope);
    }
    return scopes;
  }

  /** Returns the number of open subscriptions. */
  public int size() {
    return entries.size();
  }

  /** Closes every subscription; later registrations fail with {@link StoreClosedException}. */
  public void closeAll() {
    closed = true;
    for (Entry entry : new ArrayList<>(entries.values())) {
      entry.close();
    }
  }

  private final class Entry implements Subscription {
    private final long epoch;
    private final KeyScope scope;
    private final StoreListener listener;
    private final Executor executor;
    private final ReentrantLock invokeLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean isClosed;

    // Guarded by "this": the newest accepted state per key, and what is still to be delivered.
    private final Map<String, Known> known = new HashMap<>();
    private final LinkedHashMap<String, Optional<Versioned<byte[]>>> pending = new LinkedHashMap<>();
    private boolean drainScheduled;

    Entry(long epoch, KeyScope scope, StoreListener listener, Executor executor) {
      this.epoch = epoch;
      this.scope = scope;
      this.listener = listener;
      this.executor = executor;
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public KeyScope scope() {
      return scope;
    }

    @Override
    public boolean isClosed() {
      return isClosed;
    }

    synchronized void applySnapshot(KeyScope authority, Map<String, Versioned<byte[]>> present) {
      if (isClosed) {
        return;
      }
      for (Versioned<byte[]> value : present.values()) {
        if (scope.contains(value.key())) {
          offer(value.key(), Optional.of(value));
        }
      }
      Set<String> vanished = new HashSet<>();
      for (Map.Entry<String, Known> e : known.entrySet()) {
        String key = e.getKey();
        if (e.getValue().present && authority.contains(key) && !present.containsKey(key)) {
          vanished.add(key);
        }
      }
      for (String key : vanished) {
        offer(key, Optional.empty());
      }
      if (scope instanceof KeyScope.Exact exact
          && authority.contains(exact.key())
          && !present.containsKey(exact.key())) {
        offer(exact.key(), Optional.empty());
      }
    }

    synchronized void offer(String key, Optional<Versioned<byte[]>> state) {
      if (isClosed) {
        return;
      }
      Known previous = known.get(key);
      if (state.isPresent()) {
        long version = state.get().version();
        if (previous != null && version <= previous.maxVersion) {
          return;
        }
        known.put(key, new Known(version, true));
      } else {
        if (previous == null) {
          if (!(scope instanceof KeyScope.Exact)) {
            return;
          }
          known.put(key, new Known(0, false));
        } else if (!previous.present) {
          return;
        } else {
          known.put(key, new Known(previous.maxVersion, false));
        }
      }
      pending.remove(key);
      pending.put(key, state);
      scheduleDrain();
    }

    // Guarded by "this". Starts a drain task unless one is running or nothing is pending.
    private void scheduleDrain() {
      if (drainScheduled || isClosed || pending.isEmpty()) {
        return;
      }
      drainScheduled = true;
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        drainScheduled = false;
        LOG.log(System.Logger.Level.WARNING,
            "subscription epoch " + epoch + " on " + backend + ": executor rejected delivery; "
                + "the newest state stays pending until the next change", e);
      }
    }

    private void drain() {
      boolean finished = false;
      try {
        drainSome();
        finished = true;
      } finally {
        if (!finished) {
          // The listener threw an Error: it propagates to the executor, but the subscription
          // stays alive (a stuck drainScheduled would silently stop every later delivery).
          synchronized (this) {
            drainScheduled = false;
            scheduleDrain();
          }
        }
      }
    }

    private void drainSome() {
      for (int delivered = 0; delivered < DELIVERIES_PER_TASK; delivered++) {
        String key;
        Optional<Versioned<byte[]>> state;
        synchronized (this) {
          Iterator<Map.Entry<String, Optional<Versioned<byte[]>>>> it = pending.entrySet().iterator();
          if (isClosed || !it.hasNext()) {
            drainScheduled = false;
            return;
          }
          Map.Entry<String, Optional<Versioned<byte[]>>> next = it.next();
          it.remove();
          key = next.getKey();
          state = next.getValue();
        }
        invokeLock.lock();
        try {
          if (!isClosed) {
            listener.onState(key, state);
          }
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING,
              "listener of subscription epoch " + epoch + " on " + backend + " failed for key '" + key + "'", e);
        } finally {
          invokeLock.unlock();
        }
      }
      synchronized (this) {
        drainScheduled = false;
        scheduleDrain();
      }
    }

    @Override
    public void close() {
      isClosed = true;
      if (closing.compareAndSet(false, true)) {
        entries.remove(epoch, this);
        synchronized (this) {
          pending.clear();
        }
      }
      // Every caller, not only the first, waits for a listener call in progress (reentrant, so a
      // close from inside the listener does not wait for itself). Calls starting later see isClosed.
      invokeLock.lock();
      invokeLock.unlock();
    }

    @Override
    public String toString() {
      return "Subscription[epoch=" + epoch + ", scope=" + scope + ", backend=" + backend + "]";
    }
  }

  private record Known(long maxVersion, boolean present) {}
}
