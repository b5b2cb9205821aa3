package io.oneca.core.store;

import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of one {@link FileSystemStore} instance: a {@link SubscriptionRegistry} fed by
 * the initial read, by re-reads after this instance's own writes, and by a poll that re-reads every
 * subscribed scope when the revision file changed (other instances' and processes' writes).
 *
 * <p>Every "read the state, publish it" runs under {@link #deliveryLock}, so that publishes follow
 * the order of the reads, which is the store's order since reads are linearizable. Publishing a
 * stale read after a newer one could otherwise tell a subscriber that a key is absent again.
 */
final class FsSubscriptions {
  private static final Logger LOG = LoggerFactory.getLogger(FsSubscriptions.class);

  private final FsDirectory files;
  private final String backend;
  private final SubscriptionRegistry registry;
  private final Duration pollInterval;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ReentrantLock deliveryLock = new ReentrantLock();
  /** Held while a poll runs, so that close() returns only when no poll touches the files. */
  private final ReentrantLock pollRunLock = new ReentrantLock();
  private final Object pollGuard = new Object();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private ScheduledFuture<?> pollTask; // guarded by pollGuard
  private boolean closed; // guarded by pollGuard
  private volatile long polledRevision = Long.MIN_VALUE;
  private volatile boolean resyncNeeded;

  /**
   * @param scheduler runs the poll; {@code null} to create a daemon thread, shut down on close
   */
  FsSubscriptions(FsDirectory files, Duration pollInterval, ScheduledExecutorService scheduler) {
    this.files = files;
    this.backend = files.backend();
    this.registry = new SubscriptionRegistry(backend);
    this.pollInterval = pollInterval;
    this.ownsScheduler = scheduler == null;
    this.scheduler = scheduler != null ? scheduler : newPollScheduler();
  }

  /** Registers, starts polling, then publishes the scope's current state. */
  Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Subscription subscription = registry.register(scope, listener, executor);
    try {
      ensurePolling();
    } catch (RejectedExecutionException e) {
      subscription.close();
      throw new StoreUnavailableException(backend, null, false, "the scheduler rejected the poll task", e);
    }
    publishCurrent(scope);
    return subscription;
  }

  /** Re-reads the key rather than publishing the written value: another writer may already be newer. */
  void afterOwnWrite(String key) {
    if (registry.size() > 0) {
      publishCurrent(KeyScope.key(key));
    }
  }

  /**
   * Closes every subscription and stops polling; waits for a poll in progress unless called from a
   * listener running inside a delivery.
   */
  void close() {
    synchronized (pollGuard) {
      if (closed) {
        return;
      }
      closed = true;
      if (pollTask != null) {
        pollTask.cancel(false);
        pollTask = null;
      }
    }
    registry.closeAll();
    if (ownsScheduler) {
      scheduler.shutdown();
    }
    if (!deliveryLock.isHeldByCurrentThread()) {
      pollRunLock.lock();
      pollRunLock.unlock();
    }
  }

  private boolean publishCurrent(KeyScope scope) {
    deliveryLock.lock();
    try {
      registry.publishSnapshot(scope, files.read(scope));
      return true;
    } catch (OneCaException e) {
      resyncNeeded = true;
      logOnce("reading " + describe(scope) + " for subscribers", e);
      return false;
    } finally {
      deliveryLock.unlock();
    }
  }

  private void ensurePolling() {
    synchronized (pollGuard) {
      if (!closed && pollTask == null) {
        long nanos = pollInterval.toNanos();
        pollTask = scheduler.scheduleWithFixedDelay(this::poll, nanos, nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** One poll. Never throws: a task of scheduleWithFixedDelay that throws is never run again. */
  private void poll() {
    pollRunLock.lock();
    try {
      if (isClosed()) {
        return;
      }
      if (registry.size() == 0) {
        stopPollingIfIdle();
        return;
      }
      if (files.revision() == polledRevision && !resyncNeeded) {
        return;
      }
      // Read without the lock, the revision may belong to a write whose value is not in place yet.
      long completed = files.revisionOfCompletedWrites();
      resyncNeeded = false;
      boolean allRead = true;
      for (KeyScope scope : new LinkedHashSet<>(registry.activeScopes())) {
        allRead &= publishCurrent(scope);
      }
      polledRevision = completed;
      if (allRead && lastError.getAndSet(null) != null) {
        LOG.info("{}: subscriptions are up to date again", backend);
      }
    } catch (RuntimeException e) {
      logOnce("polling for changes", e);
    } finally {
      pollRunLock.unlock();
    }
  }

  private void stopPollingIfIdle() {
    synchronized (pollGuard) {
      if (registry.size() == 0 && pollTask != null) {
        pollTask.cancel(false);
        pollTask = null;
      }
    }
  }

  private boolean isClosed() {
    synchronized (pollGuard) {
      return closed;
    }
  }

  /** Logs a failure once until a different one happens or polling recovers. Messages hold no values. */
  private void logOnce(String activity, RuntimeException e) {
    String error = activity + ": " + e.getMessage();
    if (!isClosed() && !error.equals(lastError.getAndSet(error))) {
      LOG.warn("{}: {} failed; retrying every {} ms", backend, activity, pollInterval.toMillis(), e);
    }
  }

  private static String describe(KeyScope scope) {
    return scope instanceof KeyScope.Exact exact
        ? "key '" + exact.key() + "'"
        : "prefix '" + ((KeyScope.Prefix) scope).prefix() + "'";
  }

  private static ScheduledExecutorService newPollScheduler() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "oneca-fs-poll");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
