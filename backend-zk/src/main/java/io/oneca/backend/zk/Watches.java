package io.oneca.backend.zk;

import io.oneca.api.OneCaException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions on ZooKeeper persistent recursive watches, delivered through a
 * {@link SubscriptionRegistry}.
 *
 * <p>A watch event only says "this znode changed": the new state is always a fresh linearizable
 * read. Every read runs on one thread ({@code worker}), so observations reach the registry in the
 * order ZooKeeper applied them and the registry can drop anything older than what a subscriber has.
 * On (re)connection, including a new session after expiry (which loses every watch), the watches
 * are added again and every active scope is re-read and published as a snapshot, so that changes
 * and deletions made while no watch was in place are delivered too.
 */
final class Watches implements ConnectionStateListener, Watcher {
  private static final Logger LOG = LoggerFactory.getLogger(Watches.class);
  private static final long REINSTALL_DELAY_MILLIS = 1000;
  private static final long MIN_RETRY_MILLIS = 100;
  private static final long MAX_RETRY_MILLIS = 5_000;

  private final CuratorFramework client;
  private final Operations ops;
  private final SubscriptionReads reads;
  private final SubscriptionRegistry registry;
  private final ScheduledExecutorService worker;
  private final Set<String> pendingKeys = ConcurrentHashMap.newKeySet();
  // Guarded by "this": how many open subscriptions need a watch on each root znode.
  private final Map<String, Integer> roots = new HashMap<>();
  // Only touched on the worker thread: roots whose watch is in place on the current connection.
  private final Set<String> installed = new HashSet<>();
  // Only touched on the worker thread: failed reads per key or scope, and the retries scheduled.
  private final Map<Object, Integer> readFailures = new HashMap<>();
  private final Set<Object> retryScheduled = new HashSet<>();
  private boolean reinstallScheduled;

  Watches(CuratorFramework client, Operations ops, SubscriptionReads reads, SubscriptionRegistry registry,
      ScheduledExecutorService worker) {
    this.client = client;
    this.ops = ops;
    this.reads = reads;
    this.registry = registry;
    this.worker = worker;
  }

  Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Subscription subscription = registry.register(scope, listener, executor);
    String root = rootOf(scope);
    synchronized (this) {
      roots.merge(root, 1, Integer::sum);
    }
    Subscription handle = new Handle(subscription, root);
    try {
      worker.execute(() -> {
        installWatches();
        resync(scope);
      });
    } catch (RejectedExecutionException e) {
      handle.close();
      throw new io.oneca.api.StoreClosedException(ops.backend());
    }
    return handle;
  }

  private String rootOf(KeyScope scope) {
    if (scope instanceof KeyScope.Exact exact) {
      return ops.paths().pathOf(exact.key());
    }
    return ops.paths().directoryOf(((KeyScope.Prefix) scope).prefix());
  }

  @Override
  public void process(WatchedEvent event) {
    if (event.getType() == Event.EventType.None || event.getPath() == null) {
      return;
    }
    String key = ops.paths().keyOf(event.getPath());
    if (key == null || !pendingKeys.add(key)) {
      return;
    }
    try {
      worker.execute(() -> {
        pendingKeys.remove(key);
        refresh(key);
      });
    } catch (RejectedExecutionException e) {
      pendingKeys.remove(key);
    }
  }

  @Override
  public void stateChanged(CuratorFramework changed, ConnectionState newState) {
    // Runs on the worker (registered with it as the listener executor).
    if (newState == ConnectionState.CONNECTED || newState == ConnectionState.RECONNECTED) {
      installed.clear();
      installWatches();
      for (KeyScope scope : new LinkedHashSet<>(registry.activeScopes())) {
        resync(scope);
      }
    }
  }

  private void refresh(String key) {
    boolean covered = false;
    for (KeyScope scope : registry.activeScopes()) {
      covered |= scope.contains(key);
    }
    if (!covered) {
      readFailures.remove(key);
      return;
    }
    try {
      registry.publish(key, reads.get(key));
      readFailures.remove(key);
    } catch (Exception e) {
      retryLater(key, key, e, () -> refresh(key));
    }
  }

  private void resync(KeyScope scope) {
    if (!registry.activeScopes().contains(scope)) {
      readFailures.remove(scope);
      return;
    }
    try {
      if (scope instanceof KeyScope.Exact exact) {
        Optional<Versioned<byte[]>> value = reads.get(exact.key());
        registry.publishSnapshot(scope, value.map(List::of).orElse(List.of()));
      } else {
        registry.publishSnapshot(scope, reads.list(((KeyScope.Prefix) scope).prefix()));
      }
      readFailures.remove(scope);
    } catch (Exception e) {
      retryLater(scope, scope.toString(), e, () -> resync(scope));
    }
  }

  /**
   * A failed subscription read is retried on the worker with backoff (100 ms doubling to 5 s) for
   * as long as a subscription still covers it: subscribers must not keep a stale state just because
   * one read failed. (A reconnect also re-reads every scope.)
   */
  private void retryLater(Object what, String described, Exception e, Runnable again) {
    int failures = readFailures.merge(what, 1, Integer::sum);
    long delay = Math.min(MAX_RETRY_MILLIS, MIN_RETRY_MILLIS << Math.min(failures - 1, 10));
    OneCaException error = Errors.translate(ops.backend(), described, "subscribe", ops.hasCredentials(), e);
    if (!client.getZookeeperClient().isConnected()) {
      LOG.debug("Subscription read of {} failed while disconnected; retrying in {} ms and on reconnect: {}",
          described, delay, error.getMessage());
    } else if (failures == 1 || failures % 10 == 0) {
      LOG.warn("Subscription read of {} failed (attempt {}); retrying in {} ms: {}", described, failures, delay,
          error.getMessage());
    }
    if (!retryScheduled.add(what)) {
      return;
    }
    try {
      worker.schedule(() -> {
        retryScheduled.remove(what);
        again.run();
      }, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      retryScheduled.remove(what);
    }
  }

  /** Adds the missing watches; runs on the worker. Failures are retried on reconnect, or after a delay. */
  private void installWatches() {
    Set<String> wanted;
    synchronized (this) {
      wanted = new HashSet<>(roots.keySet());
    }
    installed.retainAll(wanted);
    boolean failed = false;
    for (String root : wanted) {
      if (installed.contains(root)) {
        continue;
      }
      try {
        ops.zk().addWatch(root, this, AddWatchMode.PERSISTENT_RECURSIVE);
        installed.add(root);
      } catch (Exception e) {
        failed = true;
        LOG.debug("Could not add a watch on {} yet: {}", root, e.toString());
      }
    }
    if (failed && !reinstallScheduled && client.getZookeeperClient().isConnected()) {
      reinstallScheduled = true;
      try {
        worker.schedule(() -> {
          reinstallScheduled = false;
          boolean wasMissing = !installed.containsAll(wantedRoots());
          installWatches();
          if (wasMissing) {
            for (KeyScope scope : new LinkedHashSet<>(registry.activeScopes())) {
              resync(scope);
            }
          }
        }, REINSTALL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        reinstallScheduled = false;
      }
    }
  }

  private synchronized Set<String> wantedRoots() {
    return new HashSet<>(roots.keySet());
  }

  private void release(String root) {
    boolean last;
    synchronized (this) {
      last = roots.merge(root, -1, Integer::sum) <= 0;
      if (last) {
        roots.remove(root);
      }
    }
    if (last) {
      try {
        worker.execute(() -> {
          if (installed.remove(root) && !wantedRoots().contains(root)) {
            removeWatch(root);
          }
        });
      } catch (RejectedExecutionException e) {
        // Store closing: the client's watches go with it.
      }
    }
  }

  /** Removes every watch this store added; runs on the worker while the store closes. */
  void removeAll() {
    for (String root : installed) {
      removeWatch(root);
    }
    installed.clear();
  }

  private void removeWatch(String root) {
    try {
      ops.zk().removeWatches(root, this, WatcherType.Any, true);
    } catch (Exception e) {
      LOG.debug("Could not remove the watch on {}: {}", root, e.toString());
    }
  }

  /** A registry subscription that also gives back its watch when closed. */
  private final class Handle implements Subscription {
    private final Subscription delegate;
    private final String root;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    Handle(Subscription delegate, String root) {
      this.delegate = delegate;
      this.root = root;
    }

    @Override
    public long epoch() {
      return delegate.epoch();
    }

    @Override
    public KeyScope scope() {
      return delegate.scope();
    }

    @Override
    public boolean isClosed() {
      return delegate.isClosed();
    }

    @Override
    public void close() {
      delegate.close();
      if (released.compareAndSet(false, true)) {
        release(root);
      }
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
