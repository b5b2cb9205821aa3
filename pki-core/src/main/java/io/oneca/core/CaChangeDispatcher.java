package io.oneca.core;

import io.oneca.api.CaView;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers adopted CA states to the CA-change listeners on OneCA's executor, one delivery at a
 * time, in adoption order: each state carries its adoption sequence (the cache's generation), and
 * a state is never delivered after a later one. Store versions increase with it, except after a
 * detected store regression, when the replica re-adopts a lower version of its own line.
 *
 * <p>Adoptions happen on whatever thread read the store (a store I/O thread completing a resync, a
 * subscription's executor, a caller of {@code reload()} or of a rotation step), and two of them can
 * race. {@link #offer} only records the newest state offered and makes sure one drain task is
 * queued on the executor; the drain delivers the newest pending state to every listener and
 * repeats while a newer one arrived. So listeners never run on the offering thread, never run
 * concurrently with each other, and never see a version older than or equal to one they were
 * already given; states superseded before their turn are skipped (coalesced), as a level-triggered
 * subscription does.
 */
final class CaChangeDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CaChangeDispatcher.class);

  private final String key;
  private final Executor executor;
  private final List<Consumer<CaView>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private CaView pending;
  private boolean drainQueued;
  private long lastDelivered;
  private long pendingSequence;
  private long lastDeliveredSequence;
  private boolean closed;

  CaChangeDispatcher(String key, Executor executor) {
    this.key = Objects.requireNonNull(key, "key");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Adds a listener; it receives states offered from now on. Closing the result removes it. */
  AutoCloseable register(Consumer<CaView> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Offers a newly adopted state from any thread. Ignored when a newer or equal version is already
   * pending or was delivered, and after {@link #close()}.
   */
  void offer(CaView state) {
    Objects.requireNonNull(state, "state");
    offer(state.storeVersion(), state);
  }

  /**
   * Offers a newly adopted state with its adoption sequence (strictly increasing per replica, also
   * when a store regression makes the version go down). Ignored when a state with a later or equal
   * sequence is pending or was delivered, and after {@link #close()}.
   */
  void offer(long sequence, CaView state) {
    Objects.requireNonNull(state, "state");
    synchronized (lock) {
      if (closed || sequence <= lastDeliveredSequence || (pending != null && sequence <= pendingSequence)) {
        return;
      }
      pending = state;
      pendingSequence = sequence;
      if (drainQueued) {
        return;
      }
      drainQueued = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (lock) {
        drainQueued = false;
      }
      LOG.warn("Cannot deliver CA version {} of key '{}' to its listeners: the executor refused the task "
          + "(shut down?)", state.storeVersion(), key);
    }
  }

  /** Returns the version last handed to the listeners, or 0. */
  long lastDelivered() {
    synchronized (lock) {
      return lastDelivered;
    }
  }

  /** Drops the listeners and every pending state; a drain under way finishes its current delivery. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      pending = null;
    }
    listeners.clear();
  }

  private void drain() {
    while (true) {
      CaView next;
      synchronized (lock) {
        next = pending;
        pending = null;
        if (next == null || closed) {
          drainQueued = false;
          return;
        }
        // offer() never leaves a pending state at or below lastDelivered, and only this drain moves it.
        lastDelivered = next.storeVersion();
        lastDeliveredSequence = pendingSequence;
      }
      for (Consumer<CaView> listener : listeners) {
        try {
          listener.accept(next);
        } catch (RuntimeException e) {
          LOG.warn("A CA change listener failed for version {} of key '{}'", next.storeVersion(), key, e);
        }
      }
    }
  }
}
