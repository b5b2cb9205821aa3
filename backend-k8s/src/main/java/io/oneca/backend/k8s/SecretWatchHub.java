package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of one {@link KubernetesSecretStore}: one fabric8 watch (by the managed-by
 * label) for every subscription, and one "events" thread on which watch events and the answers of
 * reads are applied, one at a time, to a model of the newest known state of each key; the model
 * feeds a {@link SubscriptionRegistry} (epochs, level-triggered delivery, coalescing, listener
 * executors).
 *
 * <p>Order: every applied event gets a sequence number, and the model remembers, per key, the
 * version, presence, uid and sequence number of its newest state. A read (a LIST, on an I/O
 * thread) remembers the sequence number when it started. Its answer, applied later on the events
 * thread, can only add states newer than the model's (by version); it marks a key deleted only if
 * no event for that key was applied after the read started, because such an event may describe a
 * change made after the API server answered the read. (An older event arriving after the read is
 * harmless: present states are compared by version; a delete event is applied only if the state it
 * removes is not older than the newest seen.) The watch is opened before the read, so every change
 * after the read is still delivered by the watch.
 *
 * <p>A resync (open the watch if needed, then read) runs when a subscription is added and whenever
 * the watch ends for any reason but our own close (410 Gone, a dropped connection), with backoff
 * (100 ms to 5 s) while the API server cannot be reached.
 *
 * <p>A Secret re-created by hand from an old state (a different uid, a version not above the newest
 * seen for its key) gets its version raised by a conditional write of the same bytes, above the
 * newest version this store has seen for the key and for the whole store, and is then delivered.
 */
final class SecretWatchHub {
  private static final Logger LOG = LoggerFactory.getLogger(SecretWatchHub.class);
  private static final long MIN_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final String backend;
  private final SecretOperations operations;
  private final SecretWatchSource source;
  private final SubscriptionRegistry registry;
  private final Executor io;
  private final VersionFloor floor;
  private final ScheduledExecutorService events;
  private volatile Thread eventsThread;

  // Confined to the events thread.
  private final Map<String, Known> model = new HashMap<>();
  private long sequence;
  private long generation;
  private Watch watch;
  private boolean readInFlight;
  private boolean readAgain;
  private boolean resyncScheduled;
  private int failures;
  private boolean closed;

  SecretWatchHub(String backend, SecretOperations operations, SecretWatchSource source, SubscriptionRegistry registry,
      Executor io, VersionFloor floor) {
    this.backend = backend;
    this.operations = operations;
    this.source = source;
    this.registry = registry;
    this.io = io;
    this.floor = floor;
    this.events = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "oneca-k8s-events");
      thread.setDaemon(true);
      eventsThread = thread;
      return thread;
    });
  }

  Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Subscription registered = registry.register(scope, listener, executor);
    onEvents(this::resyncNow);
    return new Handle(registered);
  }

  void close() {
    registry.closeAll();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Runnable stop = () -> {
      closed = true;
      generation++;
      closeWatch();
      stopped.complete(null);
    };
    try {
      if (Thread.currentThread() == eventsThread) {
        stop.run();
      } else {
        events.execute(stop);
        stopped.get(5, TimeUnit.SECONDS);
      }
    } catch (RejectedExecutionException alreadyStopped) {
      // close() ran before.
    } catch (Exception e) {
      LOG.warn("closing the watch of " + backend + " did not finish cleanly: " + e);
    } finally {
      events.shutdownNow();
    }
  }

  // ---- on the events thread ----

  private void resyncNow() {
    failures = 0;
    resync();
  }

  private void resync() {
    resyncScheduled = false;
    if (closed) {
      return;
    }
    if (registry.size() == 0) {
      generation++;
      closeWatch();
      return;
    }
    if (watch == null) {
      long opening = ++generation;
      try {
        watch = source.open(new GenerationWatcher(opening));
      } catch (RuntimeException e) {
        retryLater("opening the watch failed: " + e);
        return;
      }
    }
    if (readInFlight) {
      readAgain = true;
      return;
    }
    readInFlight = true;
    readAgain = false;
    long readGeneration = generation;
    long startedAt = sequence;
    try {
      io.execute(() -> {
        List<Secret> answer;
        try {
          answer = source.read();
        } catch (RuntimeException e) {
          onEvents(() -> afterRead(readGeneration, startedAt, null, e));
          return;
        }
        onEvents(() -> afterRead(readGeneration, startedAt, answer, null));
      });
    } catch (RejectedExecutionException closing) {
      readInFlight = false;
    }
  }

  private void afterRead(long readGeneration, long startedAt, List<Secret> answer, RuntimeException failure) {
    readInFlight = false;
    if (closed) {
      return;
    }
    if (failure != null) {
      retryLater("reading the subscribed keys failed: " + failure.getMessage());
      return;
    }
    if (readGeneration == generation) {
      applyRead(answer, startedAt);
      failures = 0;
    } else {
      readAgain = true; // the watch was replaced while reading: read again under the new one
    }
    if (readAgain && watch != null) {
      resync();
    }
  }

  private void applyRead(List<Secret> answer, long startedAt) {
    List<KeyScope> scopes = new ArrayList<>(new LinkedHashSet<>(registry.activeScopes()));
    Set<String> claimed = new HashSet<>();
    for (Secret secret : answer) {
      String key = operations.codec().claimedKey(secret);
      if (key == null || !covered(scopes, key)) {
        continue;
      }
      claimed.add(key); // an unreadable Secret still means "not deleted"
      Versioned<byte[]> value = decodeOrNull(key, secret);
      if (value != null) {
        Known known = model.get(key);
        observePresent(value, secret, known != null && known.sequence > startedAt, known == null ? 0 : known.sequence);
      }
    }
    for (Map.Entry<String, Known> entry : new ArrayList<>(model.entrySet())) {
      Known known = entry.getValue();
      String key = entry.getKey();
      if (known.present() && known.sequence <= startedAt && !claimed.contains(key) && covered(scopes, key)) {
        model.put(key, new Known(known.version, null, known.uid, known.sequence));
        registry.publish(key, Optional.empty());
      }
    }
    List<Versioned<byte[]>> present = new ArrayList<>();
    for (Known known : model.values()) {
      if (known.present()) {
        present.add(known.value);
      }
    }
    for (KeyScope scope : scopes) {
      registry.publishSnapshot(scope, present);
    }
  }

  private void onEvent(long eventGeneration, Watcher.Action action, Secret secret) {
    if (closed || eventGeneration != generation) {
      return;
    }
    String key = operations.codec().claimedKey(secret);
    if (key == null || !covered(registry.activeScopes(), key)) {
      return;
    }
    long seq = ++sequence;
    if (action == Watcher.Action.DELETED) {
      long version = SecretCodec.versionOf(secret);
      floor.observe(version);
      Known known = model.get(key);
      if (known == null || (known.present() && version >= known.version)) {
        model.put(key, new Known(Math.max(version, known == null ? 0 : known.version), null,
            secret.getMetadata().getUid(), seq));
        registry.publish(key, Optional.empty());
      }
    } else if (action == Watcher.Action.ADDED || action == Watcher.Action.MODIFIED) {
      Versioned<byte[]> value = decodeOrNull(key, secret);
      if (value != null) {
        observePresent(value, secret, false, seq);
      }
    }
  }

  /**
   * Takes a present state into the model and publishes it if it is newer than the newest known.
   * A state from a read that is older than the model's knowledge of the key is only compared,
   * never acted on. {@code seq} is the sequence number to record (the event's, or the key's
   * previous one for a read).
   */
  private void observePresent(Versioned<byte[]> value, Secret secret, boolean staleRead, long seq) {
    floor.observe(value.version());
    String key = value.key();
    String uid = secret.getMetadata().getUid();
    Known known = model.get(key);
    if (known == null || value.version() > known.version) {
      model.put(key, new Known(value.version(), value, uid, seq));
      registry.publish(key, Optional.of(value));
      return;
    }
    if (!staleRead && uid != null && known.uid != null && !uid.equals(known.uid)) {
      raiseVersion(value, secret, Math.max(known.version, floor.newest()));
    }
  }

  private void onWatchEnded(long watchGeneration, String why) {
    if (closed || watchGeneration != generation) {
      return;
    }
    LOG.debug("watch of " + backend + " ended (" + why + "); re-reading");
    generation++;
    closeWatch();
    retryLater(why);
  }

  private void retryLater(String why) {
    if (closed || resyncScheduled) {
      return;
    }
    generation++;
    closeWatch();
    failures++;
    long delay = failures == 1 ? 0 : Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(failures - 2, 10));
    if (failures > 1) {
      LOG.warn("watch of " + backend + " could not sync (" + why + "); retrying in "
          + delay + " ms (attempt " + failures + ")");
    }
    resyncScheduled = true;
    try {
      events.schedule(this::resync, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      resyncScheduled = false;
    }
  }

  private void closeIfIdle() {
    if (!closed && registry.size() == 0) {
      generation++;
      closeWatch();
    }
  }

  private void closeWatch() {
    Watch current = watch;
    watch = null;
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a watch of " + backend + " failed: " + e);
      }
    }
  }

  private void raiseVersion(Versioned<byte[]> value, Secret secret, long newestSeen) {
    LOG.warn("Secret " + secret.getMetadata().getName() + " for key '" + value.key()
        + "' was re-created at version " + value.version() + ", not above version " + newestSeen
        + " already seen; raising its version");
    try {
      io.execute(() -> {
        try {
          operations.raiseVersion(value.key(), secret, newestSeen);
        } catch (RuntimeException e) {
          LOG.warn("could not raise the version of key '" + value.key() + "': " + e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("store closing; version of key '" + value.key() + "' not raised");
    }
  }

  // ---- helpers ----

  private Versioned<byte[]> decodeOrNull(String key, Secret secret) {
    try {
      return operations.codec().decode(key, secret);
    } catch (UnreadableRecordException e) {
      LOG.warn("ignoring an unreadable state in the watch of " + backend + ": " + e.getMessage());
      return null;
    }
  }

  private static boolean covered(List<KeyScope> scopes, String key) {
    for (KeyScope scope : scopes) {
      if (scope.contains(key)) {
        return true;
      }
    }
    return false;
  }

  private void onEvents(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException closedAlready) {
      // The store is closed; nothing is delivered any more.
    }
  }

  /** The newest known state of a key: {@code value} is {@code null} if it was deleted. */
  private record Known(long version, Versioned<byte[]> value, String uid, long sequence) {
    boolean present() {
      return value != null;
    }
  }

  /** Hands fabric8's callbacks to the events thread, tagged with the watch's generation. */
  private final class GenerationWatcher implements Watcher<Secret> {
    private final long watchGeneration;

    GenerationWatcher(long watchGeneration) {
      this.watchGeneration = watchGeneration;
    }

    @Override
    public void eventReceived(Action action, Secret secret) {
      onEvents(() -> onEvent(watchGeneration, action, secret));
    }

    @Override
    public void onClose(WatcherException cause) {
      String why = cause.isHttpGone() ? "410 Gone (history compacted)" : String.valueOf(cause.getMessage());
      onEvents(() -> onWatchEnded(watchGeneration, why));
    }

    @Override
    public void onClose() {
      onEvents(() -> onWatchEnded(watchGeneration, "closed"));
    }
  }

  /** A registry subscription that lets the hub close the watch when the last one closes. */
  private final class Handle implements Subscription {
    private final Subscription registered;
    private final AtomicBoolean released = new AtomicBoolean();

    Handle(Subscription registered) {
      this.registered = Objects.requireNonNull(registered, "registered");
    }

    @Override
    public long epoch() {
      return registered.epoch();
    }

    @Override
    public KeyScope scope() {
      return registered.scope();
    }

    @Override
    public boolean isClosed() {
      return registered.isClosed();
    }

    @Override
    public void close() {
      registered.close();
      if (released.compareAndSet(false, true)) {
        onEvents(SecretWatchHub.this::closeIfIdle);
      }
    }

    @Override
    public String toString() {
      return registered.toString();
    }
  }
}
