package io.oneca.core;

import io.oneca.api.CaView;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory CA equal to the store after the bootstrap: a store subscription delivers
 * changes as they happen, and a periodic linearizable read catches anything a subscription missed
 * (a dropped event, a watch that silently stalled). Both, and explicit reloads, offer what they read
 * to {@link CaCache#offer}, which only moves forward.
 */
final class CaFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CaFollower.class);

  private final VersionedStore store;
  private final String key;
  private final CaCache cache;
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final Duration resyncInterval;
  private final OneCaStats stats;
  private final IssuanceAudit audit;
  private final CaChangeDispatcher dispatcher;
  private Subscription subscription;
  private ScheduledFuture<?> resync;
  private volatile boolean closed;

  CaFollower(VersionedStore store, String key, CaCache cache, ScheduledExecutorService scheduler,
      InstantSource clock, Duration resyncInterval, OneCaStats stats, IssuanceAudit audit) {
    this.store = store;
    this.key = key;
    this.cache = cache;
    this.scheduler = scheduler;
    this.clock = clock;
    this.resyncInterval = resyncInterval;
    this.stats = stats;
    this.audit = audit;
    this.dispatcher = new CaChangeDispatcher(key, scheduler);
  }

  /** Subscribes and schedules the resync. Called once, after the bootstrap adopted a CA. */
  synchronized void start() {
    stats.syncSucceeded(clock.instant(), cache.current().version());
    try {
      subscription = store.subscribe(KeyScope.key(key), (changedKey, state) -> onEvent(state), scheduler);
    } catch (RuntimeException e) {
      stats.storeError(clock.instant(), "subscribe to '" + key + "' failed: " + e.getMessage());
      LOG.warn("Cannot subscribe to CA key '{}' in {}; relying on the resync every {}", key, store.backend(),
          resyncInterval, e);
    }
    long millis = resyncInterval.toMillis();
    resync = scheduler.scheduleWithFixedDelay(this::resyncQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Registers a listener called with newly adopted CAs on the scheduler, one call at a time, in
   * increasing version; see {@link CaChangeDispatcher}.
   */
  AutoCloseable onChange(Consumer<CaView> listener) {
    return dispatcher.register(listener);
  }

  /** Reads the store now and adopts what it holds if newer; completes with the CA in memory. */
  CompletableFuture<CaView> reload() {
    return store.get(key).handle((state, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        stats.storeError(clock.instant(), "reading '" + key + "' failed: " + cause.getMessage());
        throw new CompletionException(cause);
      }
      stats.reads.increment();
      onState(state, "resync");
      return cache.current().view();
    });
  }

  /** Offers a version read or written elsewhere (for example by a rotation step). */
  void offer(Versioned<byte[]> stored, String source) {
    if (!closed) {
      onState(Optional.of(stored), source);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (subscription != null) {
      subscription.close();
    }
    if (resync != null) {
      resync.cancel(false);
    }
    dispatcher.close();
  }

  private void onEvent(Optional<Versioned<byte[]>> state) {
    if (!closed) {
      onState(state, "event");
    }
  }

  private void resyncQuietly() {
    if (closed) {
      return;
    }
    reload().exceptionally(error -> {
      LOG.warn("Resync of CA key '{}' from {} failed; keeping CA version {}: {}", key, store.backend(),
          cache.current().version(), error.getMessage());
      return null;
    });
  }

  private void onState(Optional<Versioned<byte[]>> state, String source) {
    if (state.isEmpty()) {
      boolean alreadyKnown = stats.storeMissing();
      stats.storeMissing(clock.instant());
      if (alreadyKnown) {
        return;
      }
      LOG.error("CA key '{}' is missing from {}; keeping CA version {} in memory. Restore the record; "
          + "OneCA never re-creates a CA after start", key, store.backend(), cache.current().version());
      return;
    }
    Versioned<byte[]> stored = state.get();
    CaCache.Offer offer = cache.offer(stored);
    switch (offer.advance()) {
      case ADVANCED -> {
        stats.reloaded(clock.instant(), stored.version());
        audit.followed(offer.state().view());
        LOG.info("Adopted CA {} at version {} of key '{}' (from {} via {})",
            offer.state().view().fingerprint().shortForm(), stored.version(), key, store.backend(), source);
        dispatcher.offer(offer.state().view());
      }
      case NOT_NEWER -> stats.syncSucceeded(clock.instant(), stored.version());
      case REJECTED -> {
        boolean alreadyKnown = stats.rejectedVersion() == stored.version();
        stats.reloadFailed(clock.instant(), stored.version(), offer.problem());
        if (alreadyKnown) {
          return;
        }
        audit.versionRejected(stored.version(), cache.current().version(), offer.problem());
        LOG.error("Not adopting version {} of CA key '{}' from {}; keeping version {}: {}", stored.version(), key,
            store.backend(), cache.current().version(), offer.problem());
      }
      default -> throw new IllegalStateException("unexpected " + offer.advance());
    }
  }
}
