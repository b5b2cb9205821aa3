package io.oneca.core.delivery;

import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves many named items one by one with a loader, so that a failing item (a missing secret, an
 * unreadable bundle) is reported by name and the other items are still served. Counts failures for
 * metrics ({@link DeliveryMetrics}) and remembers the last resolution's broken items for a
 * {@linkplain #health() health check}. Thread-safe.
 *
 * <p>A loader fails by throwing a {@link RuntimeException} or returning {@code null} (reported as
 * {@link java.util.NoSuchElementException}). An {@link Error} is not an item's failure: it
 * propagates.
 *
 * @param <T> the type of a resolved value
 */
public final class Resolver<T> {
  private static final Logger LOG = LoggerFactory.getLogger(Resolver.class);

  private final String kind;
  private final Function<String, ? extends T> loader;
  private final LongAdder failures = new LongAdder();
  private final LongAdder resolutions = new LongAdder();
  private final AtomicReference<List<ItemResult.Failed<T>>> lastFailed = new AtomicReference<>(List.of());

  private Resolver(String kind, Function<String, ? extends T> loader) {
    this.kind = kind;
    this.loader = loader;
  }

  /**
   * Returns a resolver.
   *
   * @param kind what is resolved (for example {@code "secret"} or {@code "trust-bundle"}), for logs
   *     and the metric tag
   * @param loader loads one item by name
   * @param <T> the type of a resolved value
   * @return the resolver
   */
  public static <T> Resolver<T> of(String kind, Function<String, ? extends T> loader) {
    Objects.requireNonNull(kind, "kind");
    if (kind.isBlank()) {
      throw new IllegalArgumentException("kind must not be blank");
    }
    return new Resolver<>(kind, Objects.requireNonNull(loader, "loader"));
  }

  /** Returns what this resolver resolves, as given to {@link #of}. */
  public String kind() {
    return kind;
  }

  /**
   * Resolves every named item independently; repeated names are resolved once.
   *
   * @param names the items to resolve
   * @return one result per distinct name, in the given order
   */
  public Resolution<T> resolve(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    List<ItemResult<T>> results = new ArrayList<>(names.size());
    List<ItemResult.Failed<T>> failed = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      ItemResult<T> result = resolveOne(Objects.requireNonNull(name, "name"));
      if (result instanceof ItemResult.Failed<T> failure) {
        failed.add(failure);
        failures.increment();
        LOG.warn("Could not resolve {} {}", kind, failure.message());
      }
      results.add(result);
    }
    resolutions.increment();
    lastFailed.set(List.copyOf(failed));
    return new Resolution<>(results);
  }

  private ItemResult<T> resolveOne(String name) {
    try {
      T value = loader.apply(name);
      if (value == null) {
        return ItemResult.Failed.of(name, new NoSuchElementException(kind + " '" + name + "' not found"));
      }
      return new ItemResult.Resolved<>(name, value);
    } catch (RuntimeException e) {
      return ItemResult.Failed.of(name, e);
    }
  }

  /** Returns how many items failed to resolve since this resolver was created. */
  public long failureCount() {
    return failures.sum();
  }

  /** Returns how many times {@link #resolve} ran. */
  public long resolutionCount() {
    return resolutions.sum();
  }

  /** Returns the names of the items that failed in the last resolution, for a health detail. */
  public List<String> lastFailedItems() {
    return lastFailed.get().stream().map(ItemResult.Failed::name).toList();
  }

  /**
   * Returns a health check named {@code resolution:<kind>}: {@link HealthStatus#UP} if the last
   * resolution served every item, else {@link HealthStatus#DEGRADED} (the good items are still
   * served) with a detail naming each broken item and its cause. The detail is built from the
   * failures' messages: loaders must not put secret values in their exceptions' messages.
   */
  public HealthCheck health() {
    List<ItemResult.Failed<T>> failed = lastFailed.get();
    if (failed.isEmpty()) {
      return new HealthCheck("resolution:" + kind, HealthStatus.UP,
          resolutionCount() == 0 ? "not resolved yet" : "every item resolved");
    }
    String detail = failed.size() + " " + kind + " item(s) failed: "
        + failed.stream().map(ItemResult.Failed::message).collect(Collectors.joining("; "));
    return new HealthCheck("resolution:" + kind, HealthStatus.DEGRADED, detail);
  }

  @Override
  public String toString() {
    return "Resolver[" + kind + ", failures=" + failureCount() + "]";
  }
}
