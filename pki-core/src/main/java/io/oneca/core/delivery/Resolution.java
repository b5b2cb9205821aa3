package io.oneca.core.delivery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The results of resolving many items independently: the values of the items that resolved, and
 * every failure named with its cause. Serve {@link #values()} even when {@link #failures()} is not
 * empty; report the failures (log, metric, health detail), never let them stop the good items.
 *
 * @param results one result per item, in the order the items were given; names are unique
 * @param <T> the type of a resolved value
 */
public record Resolution<T>(List<ItemResult<T>> results) {

  /**
   * Validates and copies the results.
   *
   * @throws IllegalArgumentException if two results share a name
   */
  public Resolution {
    results = List.copyOf(results);
    Set<String> names = new HashSet<>();
    for (ItemResult<T> result : results) {
      if (!names.add(result.name())) {
        throw new IllegalArgumentException("two results for item '" + result.name() + "'");
      }
    }
  }

  /** Returns the resolved values by item name, in the order the items were given. */
  public Map<String, T> values() {
    Map<String, T> values = new LinkedHashMap<>();
    for (ItemResult<T> result : results) {
      if (result instanceof ItemResult.Resolved<T> resolved) {
        values.put(resolved.name(), resolved.value());
      }
    }
    return Collections.unmodifiableMap(values);
  }

  /** Returns the value of one item, if it resolved. */
  public Optional<T> value(String name) {
    return Optional.ofNullable(values().get(name));
  }

  /** Returns the failures, in the order the items were given. */
  public List<ItemResult.Failed<T>> failures() {
    List<ItemResult.Failed<T>> failures = new ArrayList<>();
    for (ItemResult<T> result : results) {
      if (result instanceof ItemResult.Failed<T> failed) {
        failures.add(failed);
      }
    }
    return List.copyOf(failures);
  }

  /** Returns how many items resolved. */
  public int resolvedCount() {
    return (int) results.stream().filter(ItemResult::isResolved).count();
  }

  /** Returns how many items failed. */
  public int failedCount() {
    return results.size() - resolvedCount();
  }

  /** Returns whether every item resolved. */
  public boolean isComplete() {
    return failedCount() == 0;
  }

  /** Returns the failures' messages joined by {@code "; "}, or an empty string; safe to log. */
  public String failureSummary() {
    return failures().stream().map(ItemResult.Failed::message).collect(Collectors.joining("; "));
  }

  @Override
  public String toString() {
    return "Resolution[resolved=" + resolvedCount() + ", failed=" + failedCount()
        + (isComplete() ? "" : ", failures=" + failureSummary()) + "]";
  }
}
