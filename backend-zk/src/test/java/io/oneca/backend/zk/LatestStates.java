package io.oneca.backend.zk;

import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** A listener that remembers each key's latest state, lets tests await one with a bound, and notes any step backwards. */
final class LatestStates implements StoreListener {
  private final Map<String, Optional<Versioned<byte[]>>> latest = new HashMap<>();
  private final Map<String, Long> maxVersion = new HashMap<>();
  private final List<String> violations = new ArrayList<>();

  @Override
  public synchronized void onState(String key, Optional<Versioned<byte[]>> state) {
    long previous = maxVersion.getOrDefault(key, 0L);
    if (state.isPresent()) {
      if (state.get().version() <= previous) {
        violations.add(key + " went from version " + previous + " to " + state.get().version());
      }
      maxVersion.put(key, state.get().version());
    }
    latest.put(key, state);
    notifyAll();
  }

  /** Waits until the key's latest state satisfies the condition; fails after the bound. */
  synchronized Optional<Versioned<byte[]>> await(String key, Predicate<Optional<Versioned<byte[]>>> condition,
      Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!latest.containsKey(key) || !condition.test(latest.get(key))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("key '" + key + "' did not reach the expected state within " + bound
            + "; latest: " + latest.get(key));
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return latest.get(key);
  }

  Optional<Versioned<byte[]>> awaitVersion(String key, long version, Duration bound) throws InterruptedException {
    return await(key, s -> s.isPresent() && s.get().version() >= version, bound);
  }

  synchronized List<String> violations() {
    return new ArrayList<>(violations);
  }
}
