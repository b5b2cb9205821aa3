package io.oneca.core.store;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A {@link VersionedStore} held in this JVM's memory: for tests, single-process deployments and as
 * the reference the other backends are compared with. Every operation completes before it returns.
 *
 * <p>One instance is the storage; {@link #newClient()} gives further clients of the same storage
 * (as replicas each have their own etcd client), each with its own subscriptions and lifecycle.
 * Versions are one counter for the whole storage, so they increase across delete and re-create.
 */
public final class InMemoryStore implements VersionedStore {
  private final Storage storage;
  private final SubscriptionRegistry registry;
  private final String backend;
  private volatile boolean closed;

  private InMemoryStore(Storage storage) {
    this.storage = storage;
    this.backend = "in-memory:" + storage.id;
    this.registry = new SubscriptionRegistry(backend);
  }

  /** Returns a client of new, empty storage. */
  public static InMemoryStore create() {
    return new InMemoryStore(new Storage());
  }

  /**
   * Returns another client of the same storage. Closing one client does not affect the others.
   *
   * @return the new client
   */
  public InMemoryStore newClient() {
    return new InMemoryStore(storage);
  }

  @Override
  public String backend() {
    return backend;
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return locked(() -> Optional.ofNullable(storage.values.get(key)).map(InMemoryStore::copy));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    byte[] stored = value.clone();
    return locked(() -> {
      Versioned<byte[]> current = storage.values.get(key);
      if (!holds(precondition, current)) {
        return conflict(current);
      }
      Versioned<byte[]> written = new Versioned<>(key, stored, ++storage.revision);
      storage.values.put(key, written);
      storage.publish(key, Optional.of(written));
      return new CasResult.Applied(copy(written));
    });
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    StoreKeys.validateDelete(key, precondition);
    return locked(() -> {
      Versioned<byte[]> current = storage.values.get(key);
      if (!holds(precondition, current)) {
        return conflict(current);
      }
      storage.values.remove(key);
      storage.revision++;
      storage.publish(key, Optional.empty());
      return new CasResult.Applied(copy(current));
    });
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    return locked(() -> storage.list(KeyScope.prefix(prefix)));
  }

  /** Runs an operation under the storage lock, or fails with {@link StoreClosedException} after close. */
  private <T> CompletableFuture<T> locked(Supplier<T> operation) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    synchronized (storage) {
      return CompletableFuture.completedFuture(operation.get());
    }
  }

  private static CasResult conflict(Versioned<byte[]> current) {
    return new CasResult.Conflict(Optional.ofNullable(current).map(InMemoryStore::copy));
  }

  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Objects.requireNonNull(scope, "scope");
    if (closed) {
      throw new StoreClosedException(backend);
    }
    synchronized (storage) {
      Subscription subscription = registry.register(scope, listener, executor);
      storage.clients.add(this);
      registry.publishSnapshot(scope, storage.list(scope));
      return subscription;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Close the registry first: a subscribe() that passed its closed check before this then fails
    // to register instead of adding this client back to storage.clients after its removal.
    registry.closeAll();
    synchronized (storage) {
      storage.clients.remove(this);
    }
  }

  @Override
  public String toString() {
    return "InMemoryStore[" + backend + "]";
  }

  private static boolean holds(Precondition precondition, Versioned<byte[]> current) {
    if (precondition instanceof Precondition.AtVersion at) {
      return current != null && current.version() == at.version();
    }
    return current == null;
  }

  private static Versioned<byte[]> copy(Versioned<byte[]> value) {
    return value.map(byte[]::clone);
  }

  /** The shared storage behind one or more clients. Guarded by its own monitor. */
  private static final class Storage {
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    final long id = IDS.incrementAndGet();
    final TreeMap<String, Versioned<byte[]>> values = new TreeMap<>();
    final java.util.Set<InMemoryStore> clients = new java.util.LinkedHashSet<>();
    long revision;

    List<Versioned<byte[]>> list(KeyScope scope) {
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

    void publish(String key, Optional<Versioned<byte[]>> state) {
      for (InMemoryStore client : clients) {
        client.registry.publish(key, state.map(InMemoryStore::copy));
      }
    }
  }
}
