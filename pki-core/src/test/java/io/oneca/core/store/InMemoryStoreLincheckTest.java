package io.oneca.core.store;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.Options;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.paramgen.LongGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck: {@link InMemoryStore} is linearizable with {@link InMemoryStoreModel}, a single-threaded
 * map with one revision counter, for create-if-absent, compare-and-set at a version, delete at a
 * version, get, list and two subscription-observed operations.
 *
 * <p>Writes and reads go through one client; the subscriptions live on other clients of the same
 * storage, so every check of delivery crosses clients. With a direct executor, delivery is part of
 * the write that causes it, so the observed state must equal the store's state at every
 * linearization point: a lost, late, reordered or backwards delivery is a violation.
 *
 * <p>Lincheck builds random scenarios (a few operations before, in 3 parallel threads, and after)
 * and checks every result against some sequential order of the same operations, first by running
 * them for real on threads (stress), then by enumerating thread switches at every shared-memory
 * access it instruments (model checking). Bounded so that each mode runs in seconds.
 */
// Public, with public operations: Lincheck creates and calls it by reflection from another module.
// The test classes are patched into io.oneca.core, so javac's "exports" lint would flag JUnit types.
@SuppressWarnings("exports")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "version", gen = LongGen.class, conf = "1:6")
@Param(name = "value", gen = IntGen.class, conf = "0:2")
public class InMemoryStoreLincheckTest {
  static final String PREFIX = "k/";

  private final InMemoryStore store = InMemoryStore.create();
  private final InMemoryStore watcherClient = store.newClient();
  private final InMemoryStore probeClient = store.newClient();
  private final LatestStates watched = new LatestStates();

  /** Creates fresh storage with its subscription; Lincheck creates one per scenario. */
  public InMemoryStoreLincheckTest() {
    watcherClient.subscribe(KeyScope.prefix(PREFIX), watched, Runnable::run);
  }

  /** Create-if-absent. */
  @Operation
  public String create(@Param(name = "key") int key, @Param(name = "value") int value) {
    return describe(join(store.compareAndSet(key(key), Precondition.absent(), bytes(value))));
  }

  /** Replace-if-unchanged: applies only if the key is at exactly {@code version}. */
  @Operation
  public String replace(@Param(name = "key") int key, @Param(name = "version") long version,
      @Param(name = "value") int value) {
    return describe(join(store.compareAndSet(key(key), Precondition.atVersion(version), bytes(value))));
  }

  /** Delete-if-unchanged. */
  @Operation
  public String delete(@Param(name = "key") int key, @Param(name = "version") long version) {
    return describe(join(store.delete(key(key), Precondition.atVersion(version))));
  }

  @Operation
  public String get(@Param(name = "key") int key) {
    return describe(join(store.get(key(key))));
  }

  @Operation
  public String list() {
    List<String> entries = new ArrayList<>();
    for (Versioned<byte[]> value : join(store.list(PREFIX))) {
      entries.add(describe(value));
    }
    return String.join(",", entries);
  }

  /**
   * The latest state of {@code key} delivered to a prefix subscription on another client, opened
   * before the scenario: level-triggered and never backwards, or a violation is reported.
   */
  @Operation
  public String watched(@Param(name = "key") int key) {
    return watched.latest(key(key));
  }

  /**
   * Subscribes to {@code key} on a third client and returns its first delivery (the current
   * state, delivered during subscribe), then closes the subscription.
   */
  @Operation
  public String subscribeOnce(@Param(name = "key") int key) {
    LatestStates first = new LatestStates();
    try (Subscription subscription = probeClient.subscribe(KeyScope.key(key(key)), first, Runnable::run)) {
      return subscription.isClosed() ? "closed" : first.latest(key(key));
    }
  }

  @Test
  void stress_linearizableWithTheModel() {
    LinChecker.check(InMemoryStoreLincheckTest.class, withKnownHazards(new StressOptions())
        .sequentialSpecification(InMemoryStoreModel.class)
        .iterations(scaled(30))
        .invocationsPerIteration(2_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(2));
  }

  @Test
  void modelChecking_linearizableWithTheModel() {
    LinChecker.check(InMemoryStoreLincheckTest.class, withKnownHazards(new ModelCheckingOptions())
        .sequentialSpecification(InMemoryStoreModel.class)
        .iterations(scaled(2))
        .invocationsPerIteration(150)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(3)
        .actorsAfter(2));
  }

  /**
   * Adds the interleavings OneCA exists to get right, so that they are checked in every run and not
   * only when the random generator happens to build them: two replicas creating the same key (a
   * split-brain CA), a replace and a delete from the same version, a write seen by a read but not
   * yet by a subscriber, and a subscription opened while the key changes.
   */
  private static <O extends Options<O, ?>> O withKnownHazards(O options) {
    return options
        .addCustomScenario(scenario(List.of(),
            List.of(List.of(actor("create", 0, 1)), List.of(actor("create", 0, 2)))))
        .addCustomScenario(scenario(List.of(actor("create", 0, 0)),
            List.of(List.of(actor("replace", 0, 1L, 1)), List.of(actor("delete", 0, 1L), actor("get", 0)))))
        .addCustomScenario(scenario(List.of(actor("create", 0, 0)),
            List.of(List.of(actor("replace", 0, 1L, 1)), List.of(actor("get", 0), actor("watched", 0)))))
        .addCustomScenario(scenario(List.of(),
            List.of(List.of(actor("create", 1, 0), actor("delete", 1, 1L)),
                List.of(actor("subscribeOnce", 1), actor("get", 1), actor("subscribeOnce", 1)))));
  }

  private static ExecutionScenario scenario(List<Actor> before, List<List<Actor>> parallel) {
    return new ExecutionScenario(before, parallel, List.of(actor("list"), actor("watched", 0)), null);
  }

  private static Actor actor(String operation, Object... arguments) {
    for (Method method : InMemoryStoreLincheckTest.class.getMethods()) {
      if (method.getName().equals(operation) && method.getParameterCount() == arguments.length) {
        return new Actor(method, List.of(arguments));
      }
    }
    throw new IllegalArgumentException("no operation " + operation + "/" + arguments.length);
  }

  /** Scenario count times {@code -Doneca.lincheck.scale} (default 1), for deeper runs by hand. */
  private static int scaled(int iterations) {
    return iterations * Math.max(1, Integer.getInteger("oneca.lincheck.scale", 1));
  }

  static String key(int index) {
    return PREFIX + (char) ('a' + index);
  }

  private static byte[] bytes(int value) {
    return Integer.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  static String describe(Versioned<byte[]> value) {
    return value.key() + "@" + value.version() + "=" + new String(value.value(), StandardCharsets.US_ASCII);
  }

  private static String describe(Optional<Versioned<byte[]>> value) {
    return value.map(InMemoryStoreLincheckTest::describe).orElse("absent");
  }

  private static String describe(CasResult result) {
    if (result instanceof CasResult.Applied applied) {
      return "applied " + describe(applied.value());
    }
    return "conflict " + describe(((CasResult.Conflict) result).current());
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * A listener that keeps the latest state per key and turns any delivery that goes backwards (an
   * older or equal version after a newer one, a repeated absence) into a sticky violation.
   */
  static final class LatestStates implements io.oneca.api.store.StoreListener {
    private final Map<String, String> latest = new HashMap<>();
    private final Map<String, Long> maxVersion = new HashMap<>();
    private String violation;

    @Override
    public synchronized void onState(String key, Optional<Versioned<byte[]>> state) {
      long max = maxVersion.getOrDefault(key, 0L);
      if (state.isPresent()) {
        if (state.get().version() <= max) {
          violation = "went backwards on " + key + ": " + describe(state.get()) + " after version " + max;
        }
        maxVersion.put(key, state.get().version());
      } else if ("absent".equals(latest.get(key))) {
        violation = "absence of " + key + " delivered twice in a row";
      }
      latest.put(key, describe(state));
    }

    synchronized String latest(String key) {
      return violation != null ? violation : latest.getOrDefault(key, "absent");
    }
  }
}
