package io.oneca.backend.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The subscriptions of one {@link EtcdStore}: one etcd watch covering every subscribed scope, fed
 * into a {@link SubscriptionRegistry} (epochs, level-triggered delivery, coalescing, synchronous
 * close, listener executors).
 *
 * <p>Everything that touches the watch runs on one "events" thread, so that what the registry
 * hears is in etcd's order: a <em>resync</em> reads every subscribed scope in one transaction
 * (one revision R), publishes that snapshot, and watches from R + 1. Every watch carries a
 * generation; events of an older generation are dropped, so a replaced watch cannot deliver a
 * stale state after a newer snapshot. A resync runs when a subscription is added, when the watch
 * fails (lost connection, compacted revision, leader loss) and, with backoff, while etcd cannot be
 * reached. gRPC and Vert.x threads only hand work to the events thread.
 */
final class EtcdWatchHub {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtcdWatchHub.class);
  private static final long MIN_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final String backend;
  private final String keyPrefix;
  private final KV kv;
  private final Watch watch;
  private final Function<Supplier<CompletableFuture<TxnResponse>>, CompletableFuture<TxnResponse>> timed;
  private final SubscriptionRegistry registry;
  private final ScheduledExecutorService events;
  private volatile Thread eventsThread;

  // Confined to the events thread.
  private long generation;
  private Watch.Watcher watcher;
  private int failures;
  private boolean resyncPending;
  private boolean closed;

  EtcdWatchHub(String backend, String keyPrefix, KV kv, Watch watch,
      Function<Supplier<CompletableFuture<TxnResponse>>, CompletableFuture<TxnResponse>> timed) {
    this.backend = backend;
    this.keyPrefix = keyPrefix;
    this.kv = kv;
    this.watch = watch;
    this.timed = timed;
    this.registry = new SubscriptionRegistry(backend);
    this.events = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "oneca-etcd-events");
      thread.setDaemon(true);
      eventsThread = thread;
      return thread;
    });
  }

  Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Subscription subscription = registry.register(scope, listener, executor);
    onEvents(this::requestResyncNow);
    return subscription;
  }

  void close() {
    registry.closeAll();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Runnable stop = () -> {
      closed = true;
      generation++;
      closeWatcher();
      stopped.complete(null);
    };
    try {
      if (Thread.currentThread() == eventsThread) {
        // A listener run by a direct executor closed the store: we are the events thread.
        stop.run();
      } else {
        events.execute(stop);
        stopped.get(5, TimeUnit.SECONDS);
      }
    } catch (RejectedExecutionException alreadyStopped) {
      // close() ran before.
    } catch (Exception e) {
      LOG.warn("closing the watch of {} did not finish cleanly: {}", backend, e.toString());
    } finally {
      events.shutdownNow();
    }
  }

  /**
   * Test seam: drops the watch as a lost connection would, without a resync, then (when
   * {@code resumeFrom} is positive) resumes it from that revision as jetcd resumes a watch after a
   * reconnect. Lets a test put a compaction between the two. Returns when done.
   */
  void interruptWatchForTest(long resumeFrom) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    events.execute(() -> {
      long current = ++generation;
      closeWatcher();
      if (resumeFrom > 0) {
        String covering = keyPrefix + commonPrefix(new ArrayList<>(new LinkedHashSet<>(registry.activeScopes())));
        watcher = watch.watch(ByteSequence.from(covering, StandardCharsets.UTF_8),
            WatchOption.builder().isPrefix(true).withRevision(resumeFrom).build(), new Listener(current));
      }
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
  }

  // ---- on the events thread ----

  private void requestResyncNow() {
    failures = 0;
    resyncPending = false;
    resync();
  }

  private void resync() {
    resyncPending = false;
    if (closed) {
      return;
    }
    long current = ++generation;
    closeWatcher();
    List<KeyScope> scopes = new ArrayList<>(new LinkedHashSet<>(registry.activeScopes()));
    if (scopes.isEmpty()) {
      return;
    }
    Op[] reads = scopes.stream().map(this::readOf).toArray(Op[]::new);
    timed.apply(() -> kv.txn().Then(reads).commit())
        .whenComplete((response, failure) -> onEvents(() -> afterRead(current, scopes, response, failure)));
  }

  private void afterRead(long readGeneration, List<KeyScope> scopes, TxnResponse response, Throwable failure) {
    if (closed || readGeneration != generation) {
      return;
    }
    if (failure != null) {
      retryLater("re-reading the subscribed keys failed: " + EtcdErrors.describe(failure));
      return;
    }
    failures = 0;
    List<GetResponse> reads = response.getGetResponses();
    for (int i = 0; i < scopes.size(); i++) {
      List<Versioned<byte[]>> present = new ArrayList<>();
      for (KeyValue found : reads.get(i).getKvs()) {
        storeKey(found.getKey()).ifPresent(key -> present.add(EtcdStore.toVersioned(key, found)));
      }
      registry.publishSnapshot(scopes.get(i), present);
    }
    long revision = response.getHeader().getRevision();
    String covering = keyPrefix + commonPrefix(scopes);
    WatchOption.Builder option = WatchOption.builder().withRevision(revision + 1);
    ByteSequence from;
    if (covering.isEmpty()) {
      from = ByteSequence.from(new byte[] {0});
      option.withRange(ByteSequence.from(new byte[] {0}));
    } else {
      from = ByteSequence.from(covering, StandardCharsets.UTF_8);
      option.isPrefix(true);
    }
    watcher = watch.watch(from, option.build(), new Listener(readGeneration));
  }

  private void onWatchEvents(long watchGeneration, WatchResponse response) {
    if (closed || watchGeneration != generation) {
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      Optional<String> key = storeKey(event.getKeyValue().getKey());
      if (key.isEmpty()) {
        continue;
      }
      switch (event.getEventType()) {
        case PUT -> registry.publish(key.get(), Optional.of(EtcdStore.toVersioned(key.get(), event.getKeyValue())));
        case DELETE -> registry.publish(key.get(), Optional.empty());
        default -> LOG.debug("ignoring watch event {} for '{}' in {}", event.getEventType(), key.get(), backend);
      }
    }
  }

  private void onWatchFailure(long watchGeneration, Throwable failure) {
    if (closed || watchGeneration != generation) {
      return;
    }
    retryLater(failure == null ? "the watch ended" : "the watch failed: " + EtcdErrors.describe(failure));
  }

  private void retryLater(String why) {
    if (resyncPending || closed) {
      return;
    }
    // Stop the failed watch now, so that jetcd does not resume it behind our back.
    generation++;
    closeWatcher();
    failures++;
    long delay = failures == 1 ? 0 : Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(failures - 2, 10));
    if (failures == 1 || failures % 20 == 0) {
      LOG.info("{}: {}; re-reading and watching again in {} ms (attempt {})", backend, why, delay, failures);
    }
    resyncPending = true;
    try {
      events.schedule(this::resync, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      resyncPending = false;
    }
  }

  private void closeWatcher() {
    Watch.Watcher current = watcher;
    watcher = null;
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a watch of {} failed: {}", backend, e.toString());
      }
    }
  }

  // ---- helpers ----

  private void onEvents(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException closedAlready) {
      // The store is closed; nothing is delivered any more.
    }
  }

  private Op readOf(KeyScope scope) {
    if (scope instanceof KeyScope.Prefix prefix) {
      return Op.get(ByteSequence.from(keyPrefix + prefix.prefix(), StandardCharsets.UTF_8),
          GetOption.builder().isPrefix(true).build());
    }
    return Op.get(ByteSequence.from(keyPrefix + ((KeyScope.Exact) scope).key(), StandardCharsets.UTF_8), GetOption.DEFAULT);
  }

  static String commonPrefix(List<KeyScope> scopes) {
    String common = null;
    for (KeyScope scope : scopes) {
      String text = scope instanceof KeyScope.Prefix prefix ? prefix.prefix() : ((KeyScope.Exact) scope).key();
      if (common == null) {
        common = text;
      } else {
        int i = 0;
        while (i < common.length() && i < text.length() && common.charAt(i) == text.charAt(i)) {
          i++;
        }
        common = common.substring(0, i);
      }
    }
    return common == null ? "" : common;
  }

  private Optional<String> storeKey(ByteSequence etcdKey) {
    String full = etcdKey.toString(StandardCharsets.UTF_8);
    return full.startsWith(keyPrefix) && full.length() > keyPrefix.length()
        ? Optional.of(full.substring(keyPrefix.length()))
        : Optional.empty();
  }

  /** Hands jetcd's callbacks (on gRPC/Vert.x threads) to the events thread, tagged with a generation. */
  private final class Listener implements Watch.Listener {
    private final long listenerGeneration;

    Listener(long listenerGeneration) {
      this.listenerGeneration = listenerGeneration;
    }

    @Override
    public void onNext(WatchResponse response) {
      onEvents(() -> onWatchEvents(listenerGeneration, response));
    }

    @Override
    public void onError(Throwable failure) {
      onEvents(() -> onWatchFailure(listenerGeneration, failure));
    }

    @Override
    public void onCompleted() {
      onEvents(() -> onWatchFailure(listenerGeneration, null));
    }
  }
}
