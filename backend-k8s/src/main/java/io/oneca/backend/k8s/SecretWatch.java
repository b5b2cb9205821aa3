package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Feeds one subscription's scope from a fabric8 watch: by name for a key, by the managed-by label
 * (filtered by key) for a prefix. A sync opens the watch, then reads the scope and publishes that
 * read as the authoritative state; events that arrive during the read are held and replayed after
 * it. When the watch closes (410 Gone, a dropped connection, anything but our own close) the sync
 * runs again, so subscribers get the current state, including a Secret deleted and re-created by
 * someone else meanwhile. Events run on fabric8's threads but only hand states to the
 * {@link SubscriptionRegistry}, which calls listeners on their executors.
 *
 * <p>A Secret re-created by hand from an old state (same version annotation, new uid) gets its
 * version raised by a conditional write of the same bytes, so that it is delivered as the new state
 * rather than dropped as stale.
 *
 * <p>A delete event carries the last state of the deleted Secret; it is applied only if that state
 * is not older than the newest version seen for the key, so a stale delete replayed after a read
 * that found the key re-created cannot hide the new value.
 */
final class SecretWatch {
  private static final System.Logger LOG = System.getLogger(SecretWatch.class.getName());
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final KeyScope scope;
  private final SecretOperations operations;
  private final SecretWatchSource source;
  private final SubscriptionRegistry registry;
  private final Executor io;
  private final ScheduledExecutorService timer;

  // Guarded by "this".
  private final Map<String, Seen> newestSeen = new HashMap<>();
  private final List<Runnable> heldEvents = new ArrayList<>();
  private boolean syncing;
  private boolean closed;
  private long generation;
  private Watch watch;
  private Duration backoff = MIN_BACKOFF;

  SecretWatch(KeyScope scope, SecretOperations operations, SecretWatchSource source, SubscriptionRegistry registry,
      Executor io, ScheduledExecutorService timer) {
    this.scope = scope;
    this.operations = operations;
    this.source = source;
    this.registry = registry;
    this.io = io;
    this.timer = timer;
  }

  void start() {
    scheduleSync(Duration.ZERO);
  }

  void close() {
    Watch toClose;
    synchronized (this) {
      closed = true;
      toClose = watch;
      watch = null;
      heldEvents.clear();
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  private void scheduleSync(Duration delay) {
    try {
      if (delay.isZero()) {
        io.execute(this::sync);
      } else {
        timer.schedule(() -> io.execute(this::sync), delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException e) {
      LOG.log(System.Logger.Level.DEBUG, "watch of " + scope + " not resynced: the store is closing");
    }
  }

  private void sync() {
    long myGeneration;
    Watch previous;
    synchronized (this) {
      if (closed) {
        return;
      }
      myGeneration = ++generation;
      previous = watch;
      watch = null;
      syncing = true;
      heldEvents.clear();
    }
    if (previous != null) {
      previous.close();
    }
    Watch opened = null;
    try {
      opened = source.open(scope, new GenerationWatcher(myGeneration));
      List<Secret> read = source.read(scope);
      List<Versioned<byte[]>> present = new ArrayList<>();
      List<Secret> presentSecrets = new ArrayList<>();
      for (Secret secret : read) {
        Versioned<byte[]> value = decodeOrNull(secret);
        if (value != null) {
          present.add(value);
          presentSecrets.add(secret);
        }
      }
      synchronized (this) {
        if (closed || generation != myGeneration) {
          opened.close();
          return;
        }
        watch = opened;
        registry.publishSnapshot(scope, present);
        for (int i = 0; i < present.size(); i++) {
          observe(present.get(i), presentSecrets.get(i));
        }
        for (Runnable event : heldEvents) {
          event.run();
        }
        heldEvents.clear();
        syncing = false;
        backoff = MIN_BACKOFF;
      }
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      Duration delay;
      synchronized (this) {
        if (closed) {
          return;
        }
        delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
      LOG.log(System.Logger.Level.WARNING, "watch of " + scope + " on " + operations + " could not sync; retrying in "
          + delay.toMillis() + " ms: " + e);
      scheduleSync(delay);
    }
  }

  // Guarded by "this".
  private void apply(Watcher.Action action, Secret secret) {
    Versioned<byte[]> value = decodeOrNull(secret);
    if (value == null) {
      return;
    }
    Seen newest = newestSeen.get(value.key());
    if (action == Watcher.Action.DELETED) {
      if (newest == null || value.version() >= newest.version) {
        registry.publish(value.key(), Optional.empty());
      }
    } else if (action == Watcher.Action.ADDED || action == Watcher.Action.MODIFIED) {
      if (observe(value, secret)) {
        registry.publish(value.key(), Optional.of(value));
      }
    }
  }

  // Guarded by "this". Records a present state; returns whether it is newer than anything seen. A
  // different Secret (uid) at a version not above the newest seen was re-created by hand from an
  // old state: subscribers would drop it as stale, so its version is raised (a conditional write of
  // the same bytes), and the watch then delivers it as the new state.
  private boolean observe(Versioned<byte[]> value, Secret secret) {
    Seen newest = newestSeen.get(value.key());
    String uid = secret.getMetadata().getUid();
    if (newest == null || value.version() > newest.version) {
      newestSeen.put(value.key(), new Seen(value.version(), uid));
      return true;
    }
    if (uid != null && newest.uid != null && !uid.equals(newest.uid)) {
      raiseVersion(value, secret);
    }
    return false;
  }

  private record Seen(long version, String uid) {}

  private void raiseVersion(Versioned<byte[]> value, Secret secret) {
    LOG.log(System.Logger.Level.WARNING, "Secret " + secret.getMetadata().getName() + " for key '" + value.key()
        + "' was re-created at version " + value.version() + ", not above versions already seen; raising its version");
    try {
      io.execute(() -> {
        try {
          operations.raiseVersion(value.key(), secret);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "could not raise the version of key '" + value.key() + "': " + e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.log(System.Logger.Level.DEBUG, "store closing; version of key '" + value.key() + "' not raised");
    }
  }

  private Versioned<byte[]> decodeOrNull(Secret secret) {
    String key = operations.codec().claimedKey(secret);
    if (key == null || !scope.contains(key)) {
      return null;
    }
    try {
      return operations.codec().decode(key, secret);
    } catch (UnreadableRecordException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring an unreadable state in a watch of " + scope + ": " + e.getMessage());
      return null;
    }
  }

  private final class GenerationWatcher implements Watcher<Secret> {
    private final long myGeneration;

    GenerationWatcher(long myGeneration) {
      this.myGeneration = myGeneration;
    }

    @Override
    public void eventReceived(Action action, Secret secret) {
      synchronized (SecretWatch.this) {
        if (closed || generation != myGeneration) {
          return;
        }
        if (syncing) {
          heldEvents.add(() -> apply(action, secret));
        } else {
          apply(action, secret);
        }
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      reopen(cause.isHttpGone() ? "410 Gone (history compacted)" : String.valueOf(cause.getMessage()));
    }

    @Override
    public void onClose() {
      reopen("closed");
    }

    private void reopen(String why) {
      synchronized (SecretWatch.this) {
        if (closed || generation != myGeneration) {
          return;
        }
      }
      LOG.log(System.Logger.Level.DEBUG, "watch of " + scope + " ended (" + why + "); re-reading");
      scheduleSync(Duration.ZERO);
    }
  }
}
