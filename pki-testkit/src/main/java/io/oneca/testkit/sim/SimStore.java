package io.oneca.testkit.sim;

import io.oneca.api.StoreClosedException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A simulated {@link VersionedStore} storage on a {@link SimScheduler}: every operation is applied
 * and answered on the scheduler's I/O lane after seeded delays, and every fault is drawn from the
 * seed ({@link StoreFaults}), so one seed replays exactly. {@link #client(String)} opens a client per
 * replica (each can be partitioned on its own). Subscriptions go through pki-api's
 * {@link SubscriptionRegistry}, so with the contract-keeping faults subscribers still never see a
 * state older than one they had; the buggy-backend faults bypass it on purpose.
 *
 * <p>Operator actions change the storage at once, without faults: {@link #deleteRecord(String)},
 * {@link #snapshot()} and {@link #restore(Snapshot)} (versions go backwards, as after an etcd
 * restore from a backup; this breaks the SPI's version rule on purpose), and
 * {@link #reconnectAll()} (every subscription re-reads, as after a backend restart).
 *
 * <p>With {@link StoreFaults#NONE} it passes {@code VersionedStoreContract} (driven by
 * {@link SimScheduler#startDriver()}). Thread-safe: the storage is guarded by this object's monitor.
 */
public final class SimStore {
  private final SimScheduler scheduler;
  private final Random random;
  private final String name;
  private final TreeMap<String, Versioned<byte[]>> values = new TreeMap<>();
  private final Map<String, Client> clients = new LinkedHashMap<>();
  private final Set<String> partitioned = new HashSet<>();
  private final Set<String> missedWhilePartitioned = new HashSet<>();
  private final List<Change> history = new ArrayList<>();
  private StoreFaults faults;
  private long revision;
  private long clientIds;

  /**
   * Creates empty storage.
   *
   * @param scheduler runs every reply and delivery
   * @param seed draws every fault and delay
   * @param faults the faults to start with
   */
  public SimStore(SimScheduler scheduler, long seed, StoreFaults faults) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = new Random(seed);
    this.faults = Objects.requireNonNull(faults, "faults");
    this.name = "sim";
  }

  /** An image of the storage, for {@link #restore(Snapshot)}. */
  public record Snapshot(SortedMap<String, Versioned<byte[]>> values, long revision) {
    /** Copies the map. */
    public Snapshot {
      values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }
  }

  /**
   * One change the storage applied: a write or delete by a client, or an operator's deletion.
   *
   * @param key the key
   * @param state the value written, or empty for a deletion
   * @param by the client's name, {@code operator} (a deletion) or {@code restore}
   */
  public record Change(String key, Optional<Versioned<byte[]>> state, String by) {}

  /** Returns every change applied so far, oldest first; a restore adds one change per key it changed. */
  public synchronized List<Change> history() {
    return List.copyOf(history);
  }

  /** Returns the number of changes applied so far. */
  public synchronized int historySize() {
    return history.size();
  }

  /** Returns the change at {@code index} of {@link #history()}. */
  public synchronized Change historyAt(int index) {
    return history.get(index);
  }

  /** Returns the faults in force. */
  public synchronized StoreFaults faults() {
    return faults;
  }

  /** Replaces the faults in force; operations already under way keep what they drew. */
  public synchronized void faults(StoreFaults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /**
   * Opens a client. Clients with the same name share a partition state (a replica that restarts
   * opens a client with its old name).
   *
   * @param clientName names the client for partitions and in {@link VersionedStore#backend()}
   * @return the open client
   */
  public synchronized VersionedStore client(String clientName) {
    Client client = new Client(Objects.requireNonNull(clientName, "clientName"), ++clientIds);
    clients.put(clientName + "#" + client.id, client);
    return client;
  }

  /**
   * Cuts a client name off the store (every operation fails unavailable, no delivery arrives) or
   * heals it (its subscriptions then re-read, as after a reconnect).
   *
   * @param clientName the name given to {@link #client(String)}
   * @param cut {@code true} to partition, {@code false} to heal
   */
  public synchronized void partition(String clientName, boolean cut) {
    if (cut) {
      partitioned.add(clientName);
      return;
    }
    if (partitioned.remove(clientName) && missedWhilePartitioned.remove(clientName)) {
      for (Client client : new ArrayList<>(clients.values())) {
        if (client.clientName.equals(clientName)) {
          client.resnapshot(delivery());
        }
      }
    }
  }

  /** Returns whether a client name is partitioned now. */
  public synchronized boolean isPartitioned(String clientName) {
    return partitioned.contains(clientName);
  }

  /** Reads a key now, without faults or delay (for a test's checks). */
  public synchronized Optional<Versioned<byte[]>> peek(String key) {
    return Optional.ofNullable(values.get(key)).map(SimStore::copy);
  }

  /** Returns the storage-wide revision: the version the next write gets is higher. */
  public synchronized long revision() {
    return revision;
  }

  /**
   * Deletes a key now, whatever its version (an operator's {@code etcdctl del}).
   *
   * @return whether it existed
   */
  public synchronized boolean deleteRecord(String key) {
    if (values.remove(key) == null) {
      return false;
    }
    revision++;
    history.add(new Change(key, Optional.empty(), "operator"));
    publish(key, Optional.empty(), null);
    return true;
  }

  /** Takes an image of the storage now. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(values, revision);
  }

  /**
   * Puts the storage back to an earlier image: values and the revision counter, so versions go
   * backwards and later writes reuse version numbers (an etcd restore, a reseeded counter). Every
   * subscription then re-reads.
   */
  public synchronized void restore(Snapshot snapshot) {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>(values.keySet());
    keys.addAll(snapshot.values().keySet());
    for (String key : keys) {
      Versioned<byte[]> before = values.get(key);
      Versioned<byte[]> after = snapshot.values().get(key);
      if (before != after) {
        history.add(new Change(key, Optional.ofNullable(after).map(SimStore::copy), "restore"));
      }
    }
    values.clear();
    values.putAll(snapshot.values());
    revision = snapshot.revision();
    reconnectAll();
  }

  /** Every subscription re-reads the keys it covers and is offered the current state. */
  public synchronized void reconnectAll() {
    for (Client client : new ArrayList<>(clients.values())) {
      if (!partitioned.contains(client.clientName)) {
        client.resnapshot(delivery());
      } else {
        missedWhilePartitioned.add(client.clientName);
      }
    }
  }

  // Guarded by this.
  private Duration reply() {
    return draw(faults.maxReplyDelay());
  }

  // Guarded by this.
  private Duration delivery() {
    return draw(faults.maxDeliveryDelay());
  }

  private Duration draw(Duration max) {
    long millis = max.toMillis();
    return millis <= 0 ? Duration.ZERO : Duration.ofMillis((long) (random.nextDouble() * (millis + 1)));
  }

  // Guarded by this. Hands a change to every client's subscriptions, with the delivery faults.
  private void publish(String key, Optional<Versioned<byte[]>> state, Versioned<byte[]> previous) {
    for (Client client : new ArrayList<>(clients.values())) {
      if (client.registry.size() == 0) {
        continue;
      }
      if (partitioned.contains(client.clientName)) {
        missedWhilePartitioned.add(client.clientName);
        continue;
      }
      if (faults.buggyDroppedDelivery() > 0 && random.nextDouble() < faults.buggyDroppedDelivery()) {
        continue;
      }
      Optional<Versioned<byte[]>> copy = state.map(SimStore::copy);
      scheduler.io(delivery(), () -> client.registry.publish(key, copy));
      if (faults.duplicateDelivery() > 0 && random.nextDouble() < faults.duplicateDelivery()) {
        scheduler.io(delivery(), () -> client.registry.publish(key, copy));
      }
      if (previous != null && faults.buggyStaleDelivery() > 0 && random.nextDouble() < faults.buggyStaleDelivery()) {
        Versioned<byte[]> stale = copy(previous);
        scheduler.io(delivery().plus(delivery()), () -> client.deliverRaw(key, Optional.of(stale)));
      }
    }
  }

  private static Versioned<byte[]> copy(Versioned<byte[]> value) {
    return value.map(byte[]::clone);
  }

  private List<Versioned<byte[]>> list(KeyScope scope) {
    List<Versioned<byte[]>> result = new ArrayList<>();
    if (scope instanceof KeyScope.Exact exact) {
      Versioned<byte[]> value = values.get(exact.key());
      if (value != null) {
        result.add(copy(value));
      }
      return result;
    }
    String prefix = ((KeyScope.Prefix) scope).prefix();
    for (Map.Entry<String, Versioned<byte[]>> e : values.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      result.add(copy(e.getValue()));
    }
    return result;
  }

  private static boolean holds(Precondition precondition, Versioned<byte[]> current) {
    if (precondition instanceof Precondition.AtVersion at) {
      return current != null && current.version() == at.version();
    }
    return current == null;
  }

  /** One client: its own subscriptions and lifecycle over the shared storage. */
  private final class Client implements VersionedStore {
    private final String clientName;
    private final long id;
    private final String backend;
    private final SubscriptionRegistry registry;
    private final Map<Subscription, Raw> raw = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile boolean closed;

    Client(String clientName, long id) {
      this.clientName = clientName;
      this.id = id;
      this.backend = name + ":" + clientName + "#" + id;
      this.registry = new SubscriptionRegistry(backend);
    }

    private record Raw(KeyScope scope, StoreListener listener, Executor executor) {}

    @Override
    public String backend() {
      return backend;
    }

    @Override
    public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
      StoreKeys.validateKey(key);
      return operate(key, false, store -> Optional.ofNullable(values.get(key)).map(SimStore::copy));
    }

    @Override
    public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
      StoreKeys.validateWrite(key, precondition, value);
      byte[] stored = value.clone();
      return operate(key, true, store -> {
        Versioned<byte[]> current = values.get(key);
        if (!holds(precondition, current)) {
          return new CasResult.Conflict(Optional.ofNullable(current).map(SimStore::copy));
        }
        Versioned<byte[]> written = new Versioned<>(key, stored, ++revision);
        values.put(key, written);
        history.add(new Change(key, Optional.of(copy(written)), clientName));
        publish(key, Optional.of(written), current);
        return new CasResult.Applied(copy(written));
      });
    }

    @Override
    public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
      StoreKeys.validateDelete(key, precondition);
      return operate(key, true, store -> {
        Versioned<byte[]> current = values.get(key);
        if (!holds(precondition, current)) {
          return new CasResult.Conflict(Optional.ofNullable(current).map(SimStore::copy));
        }
        values.remove(key);
        revision++;
        history.add(new Change(key, Optional.empty(), clientName));
        publish(key, Optional.empty(), current);
        return new CasResult.Applied(copy(current));
      });
    }

    @Override
    public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
      StoreKeys.validatePrefix(prefix);
      return operate(null, false, store -> SimStore.this.list(KeyScope.prefix(prefix)));
    }

    /**
     * Applies an operation after a drawn delay and answers after another, unless a fault intervenes:
     * the partition and {@code unavailable} fail before applying, {@code lostReply} after.
     */
    private <T> CompletableFuture<T> operate(String key, boolean write, Function<SimStore, T> operation) {
      if (closed) {
        return CompletableFuture.failedFuture(new StoreClosedException(backend));
      }
      CompletableFuture<T> result = new CompletableFuture<>();
      synchronized (SimStore.this) {
        Duration toApply = reply();
        boolean failBefore = faults.unavailable() > 0 && random.nextDouble() < faults.unavailable();
        scheduler.io(toApply, () -> {
          synchronized (SimStore.this) {
            if (closed) {
              result.completeExceptionally(new StoreClosedException(backend));
              return;
            }
            if (failBefore || partitioned.contains(clientName)) {
              Duration back = reply();
              scheduler.io(back, () -> result.completeExceptionally(new StoreUnavailableException(backend, key, false,
                  partitioned.contains(clientName) ? "simulated partition" : "simulated outage", null)));
              return;
            }
            T value = operation.apply(SimStore.this);
            boolean lost = faults.lostReply() > 0 && random.nextDouble() < faults.lostReply();
            Duration back = reply();
            scheduler.io(back, () -> {
              if (lost) {
                result.completeExceptionally(new StoreUnavailableException(backend, key, write,
                    "simulated lost reply (the operation was applied)", null));
              } else {
                result.complete(value);
              }
            });
          }
        });
      }
      return result;
    }

    @Override
    public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
      Objects.requireNonNull(scope, "scope");
      if (closed) {
        throw new StoreClosedException(backend);
      }
      Subscription subscription = registry.register(scope, listener, executor);
      raw.put(subscription, new Raw(scope, listener, executor));
      synchronized (SimStore.this) {
        Duration delay = delivery();
        scheduler.io(delay, () -> {
          synchronized (SimStore.this) {
            if (partitioned.contains(clientName)) {
              missedWhilePartitioned.add(clientName);
              return;
            }
            registry.publishSnapshot(scope, SimStore.this.list(scope));
          }
        });
      }
      return subscription;
    }

    // Guarded by SimStore.this. Every open subscription re-reads its scope after a delay.
    void resnapshot(Duration delay) {
      if (closed || registry.size() == 0) {
        return;
      }
      scheduler.io(delay, () -> {
        synchronized (SimStore.this) {
          if (partitioned.contains(clientName)) {
            missedWhilePartitioned.add(clientName);
            return;
          }
          for (KeyScope scope : new HashSet<>(registry.activeScopes())) {
            registry.publishSnapshot(scope, SimStore.this.list(scope));
          }
        }
      });
    }

    // The buggy backend: hands a state straight to the listeners, ignoring what they already had.
    void deliverRaw(String key, Optional<Versioned<byte[]>> state) {
      List<Map.Entry<Subscription, Raw>> open;
      synchronized (raw) {
        open = new ArrayList<>(raw.entrySet());
      }
      for (Map.Entry<Subscription, Raw> e : open) {
        Subscription subscription = e.getKey();
        if (subscription.isClosed()) {
          raw.remove(subscription);
          continue;
        }
        Raw target = e.getValue();
        if (!subscription.isClosed() && target.scope().contains(key)) {
          target.executor().execute(() -> {
            if (!subscription.isClosed()) {
              target.listener().onState(key, state);
            }
          });
        }
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      registry.closeAll();
      raw.clear();
      synchronized (SimStore.this) {
        clients.values().remove(this);
      }
    }

    @Override
    public String toString() {
      return "SimStore.Client[" + backend + "]";
    }
  }
}
