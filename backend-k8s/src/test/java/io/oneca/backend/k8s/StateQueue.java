package io.oneca.backend.k8s;

import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records delivered states; waits for one with a bound, never by sleeping. */
final class StateQueue implements StoreListener {
  record State(String key, Optional<Versioned<byte[]>> state) {
    long version() {
      return state.map(Versioned::version).orElse(0L);
    }
  }

  private final LinkedBlockingQueue<State> queue = new LinkedBlockingQueue<>();
  private final List<State> history = new ArrayList<>();

  @Override
  public void onState(String key, Optional<Versioned<byte[]>> state) {
    queue.add(new State(key, state));
  }

  /** Returns the next state that matches, skipping others (which stay in {@link #history()}). */
  State await(Predicate<State> matches, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      State next = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new AssertionError("no matching state within " + bound + "; seen: " + history);
      }
      synchronized (history) {
        history.add(next);
      }
      if (matches.test(next)) {
        return next;
      }
    }
  }

  List<State> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }
}
