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
  private final LineageLedger ledger;
  private final java.util.Set<io.oneca.api.Fingerprint> leftBehind = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private Subscription subscription;
  private ScheduledFuture<?> resync;
  private volatile boolean closed;

  CaFollower(VersionedStore store, String key, CaCache cache, ScheduledExecutorService scheduler,
      InstantSource clock, Duration resyncInterval, OneCaStats stats, IssuanceAudit audit, LineageLedger ledger) {
    this.store = store;
    this.key = key;
    this.cache = cache;
    this.scheduler = scheduler;
    this.clock = clock;
    this.resyncInterval = resyncInterval;
    this.stats = stats;
    this.audit = audit;
    this.dispatcher = new CaChangeDispatcher(key, scheduler);
    this.ledger = ledger;
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
    // A read that started while this generation was current proves a regression if it finds less.
    long basis = cache.generation();
    return store.get(key).handle((state, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        stats.storeError(clock.instant(), "reading '" + key + "' failed: " + cause.getMessage());
        throw new CompletionException(cause);
      }
      stats.reads.increment();
      onState(state, "resync", basis, false);
      return cache.current().view();
    });
  }

  /** Offers a version read elsewhere (for example by a rotation step); treated like an event. */
  void offer(Versioned<byte[]> stored, String source) {
    if (!closed) {
      onState(Optional.of(stored), source, CaCache.NO_BASIS, false);
    }
  }

  /**
   * Offers a version this replica wrote with a compare-and-set sent while generation {@code basis}
   * was current: its own continuation, adopted without a lineage check (and over a regression).
   */
  void offerWritten(Versioned<byte[]> written, String source, long basis) {
    if (!closed) {
      onState(Optional.of(written), source, basis, true);
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
      onState(state, "event", CaCache.NO_BASIS, false);
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

  private void onState(Optional<Versioned<byte[]>> state, String source, long basis, boolean admitted) {
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
    CaCache.CaState before = cache.current();
    long heldBefore = before.version();
    CaCache.Offer offer = admitted ? cache.offerAdmitted(stored, basis)
        : basis == CaCache.NO_BASIS ? cache.offer(stored) : cache.offerRead(stored, basis);
    if (offer.regressed()) {
      onRegression(stored, offer, source, heldBefore);
    }
    switch (offer.advance()) {
      case ADVANCED, READOPTED -> {
        rememberLeftBehind(before, offer.state());
        stats.reloaded(clock.instant(), stored.version());
        audit.followed(offer.state().view());
        LOG.info("Adopted CA {} at version {} of key '{}' (from {} via {})",
            offer.state().view().fingerprint().shortForm(), stored.version(), key, store.backend(), source);
        dispatcher.offer(offer.state().generation(), offer.state().view());
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
      case REFUSED -> onRefused(stored, offer, source, basis);
      default -> throw new IllegalStateException("unexpected " + offer.advance());
    }
  }

  /** Whether an adoption this replica made dropped {@code ca} from the trust bundle altogether. */
  boolean leftBehind(io.oneca.api.Fingerprint ca) {
    return leftBehind.contains(ca);
  }

  /**
   * Remembers the active CA an adoption dropped from the trust bundle altogether (a forced rotation
   * that distrusted it): this replica never re-adopts it through the lineage evidence, which a store
   * restored from a snapshot may have rolled back to before the distrust.
   */
  private void rememberLeftBehind(CaCache.CaState before, CaCache.CaState after) {
    if (before == null || after == null) {
      return;
    }
    java.security.cert.X509Certificate previous = before.record().active().certificate();
    if (!after.record().active().certificate().equals(previous) && !after.record().trustBundle().contains(previous)
        && after.record().retired().stream().noneMatch(retired -> retired.certificate().equals(previous))) {
      leftBehind.add(before.record().active().fingerprint());
    }
  }

  /**
   * A CA off the line: adopt it if the lineage evidence says an operator admitted it, else say so
   * once per version. The evidence is read first, so an admitted CA raises no false alarm.
   */
  private void onRefused(Versioned<byte[]> stored, CaCache.Offer offer, String source, long basis) {
    io.oneca.api.Fingerprint foreign = offer.offered().active().fingerprint();
    ledger.read().whenCompleteAsync((evidence, error) -> {
      if (closed) {
        return;
      }
      if (leftBehind.contains(foreign)) {
        LOG.warn("CA {} at version {} of key '{}' was left behind by a rotation that distrusted it while this "
            + "replica watched; the lineage evidence cannot bring it back (a store restored to before that rotation "
            + "restores older evidence too)", foreign.shortForm(), stored.version(), key);
      } else if (error == null && evidence.isPresent()
          && CaLineage.admitted(evidence.get().value(), offer.offered())) {
        LOG.warn("CA {} at version {} of key '{}' is admitted by the lineage evidence at '{}' (written {} by {}); "
            + "adopting it", foreign.shortForm(), stored.version(), key, ledger.evidenceKey(),
            evidence.get().value().at(), evidence.get().value().by());
        onState(Optional.of(stored), "lineage evidence", basis, true);
        return;
      }
      CaCache.CaState held = cache.current();
      if (stats.lineageRefused(clock.instant(), stored.version(), CaCache.hash(stored.value()), foreign,
          offer.problem())) {
        audit.lineageRefused(stored.version(), held.version(), held.view().fingerprint(), foreign, offer.problem());
        LOG.error("Refusing version {} of CA key '{}' from {} (via {}); keeping CA {} at version {}: {}. If the CA "
            + "was replaced on purpose, reset the lineage naming CA {} and restart the replicas", stored.version(),
            key, store.backend(), source, held.view().fingerprint().shortForm(), held.version(), offer.problem(),
            held.view().fingerprint().sha256Hex());
      }
    }, scheduler);
  }

  /** Adopts a version the lineage evidence admits (read by a rotation step). */
  void offerAdmitted(Versioned<byte[]> stored, String source) {
    if (!closed) {
      onState(Optional.of(stored), source, CaCache.NO_BASIS, true);
    }
  }

  private void onRegression(Versioned<byte[]> stored, CaCache.Offer offer, String source, long held) {
    String outcome = switch (offer.advance()) {
      case READOPTED -> "re-adopted: its CA continues the line";
      case REFUSED -> "refused: its CA does not continue the line";
      case REJECTED -> "rejected: " + offer.problem();
      default -> String.valueOf(offer.advance());
    };
    String detail = "the store went backwards: key '" + key + "' in " + store.backend() + " holds version "
        + stored.version() + " (content " + CaCache.hash(stored.value()).substring(0, 16) + ") but this replica held "
        + "version " + held + "; " + outcome;
    if (offer.advance() == CaCache.Advance.READOPTED) {
      stats.storeRegressed();
    }
    if (stats.regressed(clock.instant(), stored.version(), CaCache.hash(stored.value()), held, detail)) {
      audit.versionRegressed(stored.version(), held, detail);
      LOG.warn("{} (via {}). Was the store restored from a backup?", detail, source);
    }
  }
}
