package io.oneca.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.oneca.api.store.KeyScope;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link StoreListener} that records every call and checks, as calls arrive, the promises of
 * {@link StoreListener}: keys inside the scope, calls that never overlap, versions per key that only
 * increase, and no empty state twice in a row. Violations are collected, not thrown, because a throw
 * from a listener would only reach the store's logs.
 */
final class RecordingListener implements StoreListener {

  /** One call of the listener. */
  record Event(String key, Optional<Versioned<byte[]>> state, Thread thread) {
    long version() {
      return state.map(Versioned::version).orElse(0L);
    }

    @Override
    public String toString() {
      return key + "=" + state.map(v -> "v" + v.version()).orElse("<absent>") + " on " + thread.getName();
    }
  }

  private final KeyScope scope;
  private final BlockingQueue<Event> unread = new LinkedBlockingQueue<>();
  private final List<Event> all = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger entered = new AtomicInteger();
  // Guarded by "this".
  private final Map<String, Long> maxVersion = new HashMap<>();
  private final Map<String, Boolean> lastPresent = new HashMap<>();

  RecordingListener(KeyScope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  @Override
  public void onState(String key, Optional<Versioned<byte[]>> state) {
    entered.incrementAndGet();
    if (inFlight.incrementAndGet() > 1) {
      violation("calls overlap: " + key + " delivered while another call was running");
    }
    try {
      Event event = new Event(key, state, Thread.currentThread());
      check(event);
      // Widens the window in which an overlapping call would be seen.
      for (int i = 0; i < 32; i++) {
        Thread.yield();
      }
      synchronized (this) {
        all.add(event);
      }
      unread.add(event);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private synchronized void check(Event event) {
    if (!scope.contains(event.key())) {
      violations.add("key outside " + scope + ": " + event);
    }
    if (event.state().isPresent()) {
      Versioned<byte[]> value = event.state().get();
      if (!value.key().equals(event.key())) {
        violations.add("state names key '" + value.key() + "' but was delivered for " + event);
      }
      Long max = maxVersion.get(event.key());
      if (max != null && value.version() <= max) {
        violations.add("version did not increase: v" + max + " then " + event);
      }
      maxVersion.put(event.key(), value.version());
      lastPresent.put(event.key(), true);
    } else {
      if (Boolean.FALSE.equals(lastPresent.get(event.key()))) {
        violations.add("absent delivered twice in a row: " + event);
      }
      lastPresent.put(event.key(), false);
    }
  }

  private synchronized void violation(String message) {
    violations.add(message);
  }

  /** Returns how many calls have started so far (counted on entry, before any check). */
  int entered() {
    return entered.get();
  }

  /** Returns a copy of every call so far, in order. */
  synchronized List<Event> events() {
    return new ArrayList<>(all);
  }

  /**
   * Takes the next call not yet taken, waiting at most {@code bound}.
   *
   * @throws AssertionError if no call arrives in time
   */
  Event next(Duration bound) throws InterruptedException {
    Event event = unread.poll(bound.toNanos(), TimeUnit.NANOSECONDS);
    if (event == null) {
      fail("no state delivered within " + bound + "; calls so far: " + events());
    }
    return event;
  }

  /**
   * Takes calls until one for {@code key} matches, waiting at most {@code bound} in total.
   *
   * @return the matching call
   * @throws AssertionError if none matches in time
   */
  Event await(String key, Predicate<Optional<Versioned<byte[]>>> matches, String what, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event event = left > 0 ? unread.poll(left, TimeUnit.NANOSECONDS) : null;
      if (event == null) {
        return fail("no " + what + " for '" + key + "' within " + bound + "; calls so far: " + events());
      }
      if (event.key().equals(key) && matches.test(event.state())) {
        return event;
      }
    }
  }

  /** Waits until {@code key} is delivered at {@code version} or higher. */
  Event awaitVersion(String key, long version, Duration bound) throws InterruptedException {
    return await(key, s -> s.isPresent() && s.get().version() >= version, "state at v" + version + " or later", bound);
  }

  /**
   * Waits until some call so far, taken or not, delivered {@code key} at {@code version} or higher.
   * Unlike {@link #awaitVersion}, it does not depend on the order of calls for different keys, which
   * the contract does not promise for prefix subscriptions.
   */
  void awaitSeen(String key, long version, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      for (Event event : events()) {
        if (event.key().equals(key) && event.state().isPresent() && event.state().get().version() >= version) {
          return;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || unread.poll(left, TimeUnit.NANOSECONDS) == null && System.nanoTime() >= deadline) {
        fail("no state at v" + version + " or later for '" + key + "' within " + bound + "; calls so far: " + events());
      }
    }
  }

  /** Waits until {@code key} is delivered as absent. */
  Event awaitAbsent(String key, Duration bound) throws InterruptedException {
    return await(key, Optional::isEmpty, "absent state", bound);
  }

  /** Fails if any call broke a promise of {@link StoreListener}. */
  void assertWellBehaved() {
    List<String> seen;
    synchronized (this) {
      seen = new ArrayList<>(violations);
    }
    assertEquals(List.of(), seen, "listener promises broken for " + scope);
  }
}
