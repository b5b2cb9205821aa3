package io.oneca.testkit;

import static io.oneca.testkit.StoreAssertions.OPERATION_TIMEOUT;
import static io.oneca.testkit.StoreAssertions.applied;
import static io.oneca.testkit.StoreAssertions.assertListed;
import static io.oneca.testkit.StoreAssertions.assertPresent;
import static io.oneca.testkit.StoreAssertions.assertStoreClosed;
import static io.oneca.testkit.StoreAssertions.assertVersioned;
import static io.oneca.testkit.StoreAssertions.conflict;
import static io.oneca.testkit.StoreAssertions.create;
import static io.oneca.testkit.StoreAssertions.join;
import static io.oneca.testkit.StoreAssertions.replace;
import static io.oneca.testkit.StoreAssertions.utf8;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreClosedException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link VersionedStore} must have, as one JUnit 5 suite: each backend's test is
 * a tiny subclass that says how to open a client, and runs every test here against its real server.
 *
 * <p>What it checks is the javadoc of {@link VersionedStore}, {@link StoreListener} and
 * {@link Subscription}: linearizable reads, atomic compare-and-set with exactly one winner, versions
 * that increase across delete and re-create, the {@link StoreKeys} limits enforced before any I/O,
 * level-triggered subscriptions that never go backwards, epochs that make closing an old
 * subscription harmless to a newer one, and clients that close without affecting each other. The
 * tests assert exact values, so a store that is merely "mostly right" fails.
 *
 * <h2>How to use</h2>
 * <pre>{@code
 * @Timeout(value = 2, unit = TimeUnit.MINUTES)
 * class EtcdStoreContractTest extends VersionedStoreContract {
 *   @RegisterExtension static final EtcdClusterExtension ETCD = ...;
 *
 *   @Override
 *   protected VersionedStore openClient() {
 *     return EtcdStore.builder().endpoints(ETCD.clientEndpoints()).build();
 *   }
 * }
 * }</pre>
 *
 * <p>Every test works under its own random key namespace ({@code contract/<16 hex>/}), so suites
 * may share one server and need no cleanup between tests. Each test opens one or more clients with
 * {@link #openClient()} and closes all of them afterwards, with the executors it created.
 *
 * <h2>Tuning for slow backends</h2>
 * Override {@link #changeVisibilityBound()} for stores that poll, and lower
 * {@link #concurrentClients()} or {@link #raceRounds()} against slow servers. These only bound
 * waiting and size the load; no override makes a check weaker. Nothing here sleeps: waits for
 * deliveries are bounded polls of a queue that return as soon as the state arrives.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class VersionedStoreContract {
  private final ContractResources resources = new ContractResources();
  private String namespace;
  private VersionedStore store;

  /** For subclasses. */
  protected VersionedStoreContract() {}

  /**
   * Opens a new client of the storage under test. Every call must return a distinct client of the
   * same backing storage (as two replicas each open their own): what one client writes, the others
   * read. The suite closes every client it opened after each test.
   *
   * @return a new, open client
   * @throws Exception if the client cannot be opened; the test fails
   */
  protected abstract VersionedStore openClient() throws Exception;

  /**
   * How long a subscriber may take to see a change made by another client. Used only as the bound
   * of a wait that ends as soon as the change arrives. Default: 5 seconds; stores that poll override
   * it with a few poll intervals.
   *
   * @return a positive duration
   */
  protected Duration changeVisibilityBound() {
    return Duration.ofSeconds(5);
  }

  /**
   * How many clients, each on its own thread, race in the concurrency tests. Default: 8.
   *
   * @return at least 2
   */
  protected int concurrentClients() {
    return 8;
  }

  /**
   * How many rounds the create race runs (a fresh key each), and how many increments each client
   * makes in the lost-update test. Default: 50.
   *
   * @return at least 1
   */
  protected int raceRounds() {
    return 50;
  }

  @BeforeEach
  public final void openPrimaryClient() throws Exception {
    byte[] random = new byte[8];
    ThreadLocalRandom.current().nextBytes(random);
    namespace = "contract/" + HexFormat.of().formatHex(random) + "/";
    store = newClient();
  }

  @AfterEach
  public final void closeEverything() throws InterruptedException {
    resources.close();
  }

  // ---- reads and writes ----

  @Test
  public void get_missingKey_returnsEmpty() throws Exception {
    assertEquals(Optional.empty(), join(store.get(key("missing"))));
  }

  @Test
  public void compareAndSet_absentOnMissingKey_createsWithPositiveVersion() throws Exception {
    String key = key("created");
    byte[] value = utf8("first");

    Versioned<byte[]> created = applied(join(store.compareAndSet(key, Precondition.absent(), value)));

    assertTrue(created.version() > 0, "version must be positive: " + created);
    assertVersioned(key, value, created.version(), created);
    assertPresent(created, join(store.get(key)));
    assertPresent(created, join(newClient().get(key)));
  }

  @Test
  public void compareAndSet_absentOnExistingKey_returnsConflictWithCurrentAndChangesNothing() throws Exception {
    String key = key("existing");
    Versioned<byte[]> created = create(store, key, utf8("winner"));

    Optional<Versioned<byte[]>> current = conflict(join(store.compareAndSet(key, Precondition.absent(), utf8("loser"))));

    assertPresent(created, current);
    assertPresent(created, join(store.get(key)));
  }

  @Test
  public void compareAndSet_currentVersion_appliesWithHigherVersion() throws Exception {
    String key = key("replaced");
    Versioned<byte[]> first = create(store, key, utf8("one"));

    Versioned<byte[]> second = applied(join(store.compareAndSet(key, Precondition.atVersion(first.version()), utf8("two"))));

    assertTrue(second.version() > first.version(), "version must increase: " + first + " then " + second);
    assertVersioned(key, utf8("two"), second.version(), second);
    assertPresent(second, join(store.get(key)));
  }

  @Test
  public void compareAndSet_staleVersion_returnsConflictWithCurrent() throws Exception {
    String key = key("stale");
    Versioned<byte[]> first = create(store, key, utf8("one"));
    Versioned<byte[]> second = replace(store, first, utf8("two"));

    Optional<Versioned<byte[]>> current =
        conflict(join(store.compareAndSet(key, Precondition.atVersion(first.version()), utf8("three"))));

    assertPresent(second, current);
    assertPresent(second, join(store.get(key)));
  }

  @Test
  public void compareAndSet_atVersionOnMissingKey_returnsEmptyConflictAndCreatesNothing() throws Exception {
    String key = key("never-created");

    assertEquals(Optional.empty(), conflict(join(store.compareAndSet(key, Precondition.atVersion(1), utf8("x")))));
    assertEquals(Optional.empty(), join(store.get(key)));
  }

  @Test
  public void delete_staleVersion_returnsConflictAndKeepsValue() throws Exception {
    String key = key("delete-stale");
    Versioned<byte[]> first = create(store, key, utf8("one"));
    Versioned<byte[]> second = replace(store, first, utf8("two"));

    assertPresent(second, conflict(join(store.delete(key, Precondition.atVersion(first.version())))));
    assertPresent(second, join(store.get(key)));
  }

  @Test
  public void delete_currentVersion_removesKeyAndReturnsDeletedValue() throws Exception {
    String key = key("delete-current");
    Versioned<byte[]> created = create(store, key, utf8("doomed"));

    Versioned<byte[]> deleted = applied(join(store.delete(key, Precondition.atVersion(created.version()))));

    assertVersioned(key, utf8("doomed"), created.version(), deleted);
    assertEquals(Optional.empty(), join(store.get(key)));
    assertEquals(Optional.empty(), join(newClient().get(key)));
  }

  @Test
  public void delete_missingKey_returnsEmptyConflict() throws Exception {
    assertEquals(Optional.empty(), conflict(join(store.delete(key("missing"), Precondition.atVersion(1)))));
  }

  @Test
  public void delete_absentPrecondition_throwsInvalidRequest() throws Exception {
    String key = key("delete-absent");
    Versioned<byte[]> created = create(store, key, utf8("kept"));

    assertThrows(InvalidRequestException.class, () -> store.delete(key, Precondition.absent()));
    assertThrows(InvalidRequestException.class, () -> store.delete(key("missing"), Precondition.absent()));
    assertPresent(created, join(store.get(key)));
  }

  @Test
  public void versions_deleteAndRecreate_keepIncreasing() throws Exception {
    String key = key("recreated");
    Versioned<byte[]> first = create(store, key, utf8("one"));
    Versioned<byte[]> second = replace(store, first, utf8("two"));
    applied(join(store.delete(key, Precondition.atVersion(second.version()))));

    Versioned<byte[]> recreated = create(newClient(), key, utf8("three"));

    assertTrue(second.version() > first.version(), first + " then " + second);
    assertTrue(recreated.version() > second.version(), "re-created " + recreated + " after deleted " + second);
    assertPresent(recreated, join(store.get(key)));
    assertPresent(recreated, conflict(join(store.compareAndSet(key, Precondition.atVersion(second.version()), utf8("x")))));
    assertPresent(recreated, conflict(join(store.delete(key, Precondition.atVersion(second.version())))));
  }

  // ---- listing ----

  @Test
  public void list_prefixEndingInSlash_returnsExactlyItsKeysSortedAndNoSibling() throws Exception {
    Map<String, Versioned<byte[]>> under = new TreeMap<>();
    for (String name : List.of("list/b", "list/a", "list/c/d", "list/a-b")) {
      under.put(key(name), create(store, key(name), utf8(name)));
    }
    create(store, key("list2/x"), utf8("sibling"));
    create(store, key("lis"), utf8("shorter"));
    create(store, key("list"), utf8("the prefix itself"));

    assertListed(new ArrayList<>(under.values()), join(newClient().list(key("list/"))));
  }

  @Test
  public void list_prefixWithoutSlash_returnsEveryKeyStartingWithIt() throws Exception {
    List<Versioned<byte[]>> expected = new ArrayList<>();
    expected.add(create(store, key("app"), utf8("0")));
    expected.add(create(store, key("app/x"), utf8("1")));
    expected.add(create(store, key("app2/y"), utf8("2")));
    expected.add(create(store, key("apple"), utf8("3")));
    create(store, key("ap"), utf8("not under"));
    create(store, key("b/app"), utf8("not under"));

    assertListed(expected, join(store.list(key("app"))));
  }

  @Test
  public void list_prefixWithoutKeys_returnsEmptyList() throws Exception {
    create(store, key("elsewhere/x"), utf8("x"));

    assertEquals(List.of(), join(store.list(key("nothing/"))));
  }

  @Test
  public void list_afterDelete_omitsDeletedKey() throws Exception {
    Versioned<byte[]> kept = create(store, key("dir/kept"), utf8("kept"));
    Versioned<byte[]> gone = create(store, key("dir/gone"), utf8("gone"));
    applied(join(store.delete(gone.key(), Precondition.atVersion(gone.version()))));

    assertListed(List.of(kept), join(store.list(key("dir/"))));
  }

  // ---- values ----

  @Test
  public void values_allByteValues_roundTrip() throws Exception {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    Versioned<byte[]> created = create(store, key("binary"), value);

    assertPresent(created, join(newClient().get(key("binary"))));
  }

  @Test
  public void values_emptyArray_roundTripsAsPresentValue() throws Exception {
    Versioned<byte[]> created = create(store, key("empty"), new byte[0]);

    assertVersioned(key("empty"), new byte[0], created.version(), created);
    assertPresent(created, join(newClient().get(key("empty"))));
    assertListed(List.of(created), join(store.list(key("empty"))));
  }

  @Test
  public void values_exactlyMaxSize_roundTrip() throws Exception {
    byte[] value = new byte[StoreKeys.MAX_VALUE_BYTES];
    ThreadLocalRandom.current().nextBytes(value);
    Versioned<byte[]> created = create(store, key("max"), value);

    assertPresent(created, join(newClient().get(key("max"))));
    Versioned<byte[]> replaced = replace(store, created, value);
    assertPresent(replaced, join(store.get(key("max"))));
  }

  @Test
  public void values_overMaxSize_throwInvalidRequestSynchronouslyAndStoreNothing() throws Exception {
    byte[] tooLarge = new byte[StoreKeys.MAX_VALUE_BYTES + 1];
    String key = key("too-large");
    Versioned<byte[]> existing = create(store, key("existing"), utf8("small"));

    assertThrows(InvalidRequestException.class, () -> store.compareAndSet(key, Precondition.absent(), tooLarge));
    assertThrows(InvalidRequestException.class,
        () -> store.compareAndSet(existing.key(), Precondition.atVersion(existing.version()), tooLarge));

    assertEquals(Optional.empty(), join(store.get(key)));
    assertPresent(existing, join(store.get(existing.key())));
  }

  @Test
  public void values_mutatingCallerArrays_doesNotChangeStoredValue() throws Exception {
    String key = key("copied");
    byte[] written = {1, 2, 3};
    Versioned<byte[]> created = applied(join(store.compareAndSet(key, Precondition.absent(), written)));
    written[0] = 9;
    created.value()[1] = 9;
    join(store.get(key)).orElseThrow().value()[2] = 9;
    conflict(join(store.compareAndSet(key, Precondition.absent(), utf8("x")))).orElseThrow().value()[0] = 8;
    join(store.list(key("copied"))).get(0).value()[1] = 8;

    Versioned<byte[]> stored = join(store.get(key)).orElseThrow();
    assertVersioned(key, new byte[] {1, 2, 3}, created.version(), stored);
  }

  // ---- keys ----

  @Test
  public void keys_invalid_throwInvalidRequestSynchronously() throws Exception {
    List<String> invalid = List.of(
        "", "/a", "a/", "a//b", "a/../b", "a/./b", "..", "a b", "a\u00e9", "a\\b", "x".repeat(StoreKeys.MAX_KEY_LENGTH + 1),
        namespace + "k".repeat(StoreKeys.MAX_KEY_LENGTH + 1 - namespace.length()));
    for (String bad : invalid) {
      assertThrows(InvalidRequestException.class, () -> store.get(bad), "get(\"" + bad + "\")");
      assertThrows(InvalidRequestException.class,
          () -> store.compareAndSet(bad, Precondition.absent(), utf8("x")), "compareAndSet(\"" + bad + "\")");
      assertThrows(InvalidRequestException.class,
          () -> store.delete(bad, Precondition.atVersion(1)), "delete(\"" + bad + "\")");
    }
    for (String bad : List.of("", "/", "/a", "a//", "a//b/", "a/../", "a b/", "x".repeat(StoreKeys.MAX_KEY_LENGTH + 1))) {
      assertThrows(InvalidRequestException.class, () -> store.list(bad), "list(\"" + bad + "\")");
    }
    assertEquals(List.of(), join(store.list(namespace)), "nothing may have been written");
  }

  @Test
  public void keys_maximumLength_accepted() throws Exception {
    String key = namespace + "k".repeat(StoreKeys.MAX_KEY_LENGTH - namespace.length());
    assertEquals(StoreKeys.MAX_KEY_LENGTH, key.length());

    Versioned<byte[]> created = create(store, key, utf8("long"));

    assertPresent(created, join(newClient().get(key)));
    assertListed(List.of(created), join(store.list(namespace)));
  }

  // ---- concurrency ----

  @Test
  public void compareAndSet_concurrentCreates_exactlyOneWinsEachRound() throws Exception {
    int parties = concurrentClients();
    int rounds = raceRounds();
    List<VersionedStore> racers = newClients(parties);
    CyclicBarrier start = new CyclicBarrier(parties);
    CasResult[][] results = new CasResult[rounds][parties];

    resources.runConcurrently(parties, Duration.ofMinutes(2), party -> {
      for (int round = 0; round < rounds; round++) {
        start.await(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        results[round][party] = join(racers.get(party).compareAndSet(
            key("race-" + round), Precondition.absent(), utf8("round " + round + " party " + party)));
      }
    });

    for (int round = 0; round < rounds; round++) {
      String key = key("race-" + round);
      List<Versioned<byte[]>> winners = new ArrayList<>();
      for (CasResult result : results[round]) {
        if (result instanceof CasResult.Applied a) {
          winners.add(a.value());
        }
      }
      assertEquals(1, winners.size(), "round " + round + " must have exactly one winner: " + Arrays.toString(results[round]));
      Versioned<byte[]> winner = winners.get(0);
      for (CasResult result : results[round]) {
        if (result instanceof CasResult.Conflict c) {
          assertPresent(winner, c.current());
        }
      }
      assertPresent(winner, join(store.get(key)));
    }
  }

  @Test
  public void compareAndSet_concurrentIncrements_loseNoUpdate() throws Exception {
    int parties = concurrentClients();
    int increments = raceRounds();
    String key = key("counter");
    create(store, key, utf8("0"));
    List<VersionedStore> writers = newClients(parties);
    // A conflict means another increment was applied, so no increment loses more often than this.
    int maxAttempts = parties * increments + 1;

    resources.runConcurrently(parties, Duration.ofMinutes(2), party -> {
      VersionedStore writer = writers.get(party);
      Versioned<byte[]> seen = join(writer.get(key)).orElseThrow();
      for (int done = 0; done < increments; done++) {
        for (int attempt = 1; ; attempt++) {
          assertTrue(attempt <= maxAttempts, "increment did not apply after " + maxAttempts + " attempts");
          long next = Long.parseLong(new String(seen.value(), UTF_8)) + 1;
          CasResult result = join(writer.compareAndSet(key, Precondition.atVersion(seen.version()), utf8(Long.toString(next))));
          if (result instanceof CasResult.Applied a) {
            assertTrue(a.value().version() > seen.version(), "version must increase: " + seen + " then " + a.value());
            seen = a.value();
            break;
          }
          seen = ((CasResult.Conflict) result).current().orElseThrow(() -> new AssertionError("counter vanished"));
        }
      }
    });

    Versioned<byte[]> last = join(store.get(key)).orElseThrow();
    assertEquals(Long.toString((long) parties * increments), new String(last.value(), UTF_8), "final counter");
  }

  // ---- subscriptions ----

  @Test
  public void subscribe_presentKey_deliversCurrentStateFirstThenNewerStates() throws Exception {
    String key = key("watched");
    VersionedStore writer = newClient();
    Versioned<byte[]> first = create(writer, key, utf8("one"));
    RecordingListener listener = resources.recorder(KeyScope.key(key));

    store.subscribe(KeyScope.key(key), listener, resources.executor("watch", 1));

    RecordingListener.Event initial = listener.next(changeVisibilityBound());
    assertEquals(key, initial.key());
    assertPresent(first, initial.state());
    Versioned<byte[]> second = replace(writer, first, utf8("two"));
    Versioned<byte[]> third = replace(writer, second, utf8("three"));
    assertPresent(third, listener.awaitVersion(key, third.version(), changeVisibilityBound()).state());
  }

  @Test
  public void subscribe_missingKey_deliversOneEmptyStateThenCreation() throws Exception {
    String key = key("not-yet");
    RecordingListener listener = resources.recorder(KeyScope.key(key));

    store.subscribe(KeyScope.key(key), listener, resources.executor("watch", 1));

    RecordingListener.Event initial = listener.next(changeVisibilityBound());
    assertEquals(key, initial.key());
    assertEquals(Optional.empty(), initial.state());
    Versioned<byte[]> created = create(newClient(), key, utf8("born"));
    assertPresent(created, listener.next(changeVisibilityBound()).state());
  }

  @Test
  public void subscribe_burstFromOtherClient_versionsNeverDecreaseAndEndAtFinalState() throws Exception {
    String key = key("burst");
    VersionedStore writer = newClient();
    Versioned<byte[]> current = create(writer, key, utf8("0"));
    RecordingListener listener = resources.recorder(KeyScope.key(key));
    store.subscribe(KeyScope.key(key), listener, resources.executor("watch", 1));

    for (int i = 1; i <= 50; i++) {
      current = replace(writer, current, utf8(Integer.toString(i)));
    }

    Versioned<byte[]> last = join(store.get(key)).orElseThrow();
    assertPresent(last, listener.awaitVersion(key, last.version(), changeVisibilityBound()).state());
    assertVersioned(key, utf8("50"), current.version(), last);
    listener.assertWellBehaved();
  }

  @Test
  public void subscribe_deleteAndRecreate_deliversEmptyThenHigherVersion() throws Exception {
    String key = key("reborn");
    VersionedStore writer = newClient();
    Versioned<byte[]> first = create(writer, key, utf8("one"));
    RecordingListener listener = resources.recorder(KeyScope.key(key));
    store.subscribe(KeyScope.key(key), listener, resources.executor("watch", 1));
    assertPresent(first, listener.next(changeVisibilityBound()).state());

    applied(join(writer.delete(key, Precondition.atVersion(first.version()))));
    listener.awaitAbsent(key, changeVisibilityBound());
    Versioned<byte[]> reborn = create(writer, key, utf8("two"));

    assertTrue(reborn.version() > first.version(), first + " then " + reborn);
    assertPresent(reborn, listener.awaitVersion(key, reborn.version(), changeVisibilityBound()).state());
  }

  @Test
  public void subscribe_prefix_deliversPresentKeysThenChangesUnderPrefixOnly() throws Exception {
    VersionedStore writer = newClient();
    Versioned<byte[]> a = create(writer, key("p/a"), utf8("a"));
    Versioned<byte[]> b = create(writer, key("p/b/c"), utf8("b"));
    Versioned<byte[]> sibling = create(writer, key("p2/x"), utf8("sibling"));
    KeyScope scope = KeyScope.prefix(key("p/"));
    RecordingListener listener = resources.recorder(scope);
    ExecutorService executor = resources.executor("watch", 1);

    store.subscribe(scope, listener, executor);

    Map<String, Optional<Versioned<byte[]>>> initial = new TreeMap<>();
    for (int i = 0; i < 2; i++) {
      RecordingListener.Event event = listener.next(changeVisibilityBound());
      assertEquals(null, initial.put(event.key(), event.state()), "initial state delivered twice: " + listener.events());
    }
    assertEquals(List.of(a.key(), b.key()), new ArrayList<>(initial.keySet()));
    assertPresent(a, initial.get(a.key()));
    assertPresent(b, initial.get(b.key()));

    replace(writer, sibling, utf8("sibling 2"));
    create(writer, key("p3"), utf8("outside"));
    Versioned<byte[]> c = create(writer, key("p/c"), utf8("c"));
    assertPresent(c, listener.next(changeVisibilityBound()).state());
    applied(join(writer.delete(a.key(), Precondition.atVersion(a.version()))));
    RecordingListener.Event deleted = listener.next(changeVisibilityBound());
    assertEquals(a.key(), deleted.key());
    assertEquals(Optional.empty(), deleted.state());
    Versioned<byte[]> b2 = replace(writer, b, utf8("b2"));
    assertPresent(b2, listener.next(changeVisibilityBound()).state());

    ContractResources.flush(executor);
    assertEquals(5, listener.events().size(), "only changes under the prefix: " + listener.events());
  }

  @Test
  public void subscribe_listener_runsOnGivenExecutor() throws Exception {
    String key = key("executor");
    AtomicReference<Thread> listenerThread = new AtomicReference<>();
    ExecutorService executor = resources.executor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "contract-listener-" + namespace.substring(9, 25));
      thread.setDaemon(true);
      assertTrue(listenerThread.compareAndSet(null, thread), "single-thread executor made a second thread");
      return thread;
    }));
    RecordingListener listener = resources.recorder(KeyScope.key(key));
    VersionedStore writer = newClient();

    store.subscribe(KeyScope.key(key), listener, executor);
    listener.next(changeVisibilityBound());
    Versioned<byte[]> current = create(writer, key, utf8("0"));
    for (int i = 1; i <= 3; i++) {
      current = replace(writer, current, utf8(Integer.toString(i)));
    }
    listener.awaitVersion(key, current.version(), changeVisibilityBound());

    for (RecordingListener.Event event : listener.events()) {
      assertSame(listenerThread.get(), event.thread(), "listener ran on " + event.thread().getName());
    }
  }

  @Test
  public void subscribe_listenerCallsOnPooledExecutor_neverOverlap() throws Exception {
    KeyScope scope = KeyScope.prefix(key("pool/"));
    ExecutorService pool = resources.executor("pool", 4);
    RecordingListener listener = resources.recorder(scope);
    VersionedStore writer = newClient();
    store.subscribe(scope, listener, pool);

    List<Versioned<byte[]>> finals = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      Versioned<byte[]> current = create(writer, key("pool/k" + k), utf8("0"));
      for (int i = 1; i <= 5; i++) {
        current = replace(writer, current, utf8(Integer.toString(i)));
      }
      finals.add(current);
    }
    for (Versioned<byte[]> last : finals) {
      listener.awaitSeen(last.key(), last.version(), changeVisibilityBound());
    }
    for (RecordingListener.Event event : listener.events()) {
      assertTrue(event.thread().getName().startsWith("contract-pool-"), "listener ran on " + event.thread().getName());
    }
    listener.assertWellBehaved();
  }

  @Test
  public void subscribe_twoOnSameKey_haveDistinctIncreasingEpochs() throws Exception {
    String key = key("epochs");
    ExecutorService executor = resources.executor("watch", 1);

    try (Subscription first = store.subscribe(KeyScope.key(key), resources.recorder(KeyScope.key(key)), executor);
        Subscription second = store.subscribe(KeyScope.key(key), resources.recorder(KeyScope.key(key)), executor);
        Subscription prefix = store.subscribe(KeyScope.prefix(namespace), resources.recorder(KeyScope.prefix(namespace)), executor)) {
      assertTrue(second.epoch() > first.epoch(), "epochs " + first.epoch() + " then " + second.epoch());
      assertTrue(prefix.epoch() > second.epoch(), "epochs " + second.epoch() + " then " + prefix.epoch());
      assertEquals(KeyScope.key(key), first.scope());
      assertEquals(KeyScope.prefix(namespace), prefix.scope());
      assertFalse(first.isClosed());
    }
  }

  @Test
  public void subscription_closingOlderEpoch_leavesNewerReceivingAndOlderSilent() throws Exception {
    String key = key("two-epochs");
    VersionedStore writer = newClient();
    Versioned<byte[]> first = create(writer, key, utf8("one"));
    ExecutorService executor = resources.executor("watch", 1);
    RecordingListener older = resources.recorder(KeyScope.key(key));
    RecordingListener newer = resources.recorder(KeyScope.key(key));
    Subscription olderSubscription = store.subscribe(KeyScope.key(key), older, executor);
    Subscription newerSubscription = store.subscribe(KeyScope.key(key), newer, executor);
    assertPresent(first, older.next(changeVisibilityBound()).state());
    assertPresent(first, newer.next(changeVisibilityBound()).state());

    olderSubscription.close();
    int olderCallsAtClose = older.entered();
    olderSubscription.close();

    assertTrue(olderSubscription.isClosed());
    assertFalse(newerSubscription.isClosed());
    Versioned<byte[]> second = replace(writer, first, utf8("two"));
    assertPresent(second, newer.next(changeVisibilityBound()).state());
    Versioned<byte[]> third = replace(writer, second, utf8("three"));
    assertPresent(third, newer.next(changeVisibilityBound()).state());
    ContractResources.flush(executor);
    assertEquals(olderCallsAtClose, older.entered(), "closed subscription was called: " + older.events());
  }

  @Test
  public void subscription_lateCloseOfReplacedSubscription_doesNotStopReplacement() throws Exception {
    String key = key("reconnect");
    VersionedStore writer = newClient();
    Versioned<byte[]> first = create(writer, key, utf8("one"));
    ExecutorService executor = resources.executor("watch", 1);
    RecordingListener original = resources.recorder(KeyScope.key(key));
    Subscription originalSubscription = store.subscribe(KeyScope.key(key), original, executor);
    assertPresent(first, original.next(changeVisibilityBound()).state());
    Versioned<byte[]> second = replace(writer, first, utf8("two"));
    assertPresent(second, original.next(changeVisibilityBound()).state());

    // The consumer reconnects before the old stream's cleanup has run ...
    RecordingListener reconnected = resources.recorder(KeyScope.key(key));
    Subscription reconnectedSubscription = store.subscribe(KeyScope.key(key), reconnected, executor);
    assertPresent(second, reconnected.next(changeVisibilityBound()).state());
    // ... and the cleanup of the old stream arrives late.
    originalSubscription.close();

    assertTrue(reconnectedSubscription.epoch() > originalSubscription.epoch());
    Versioned<byte[]> third = replace(writer, second, utf8("three"));
    assertPresent(third, reconnected.next(changeVisibilityBound()).state());
    assertFalse(reconnectedSubscription.isClosed());
  }

  @Test
  public void subscription_closeWhileListenerRuns_returnsOnlyAfterListenerReturned() throws Exception {
    String key = key("slow-listener");
    VersionedStore writer = newClient();
    Versioned<byte[]> first = create(writer, key, utf8("one"));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean listenerReturned = new AtomicBoolean();
    StoreListener blocking = (k, state) -> {
      if (state.isPresent() && state.get().version() > first.version()) {
        entered.countDown();
        try {
          release.await(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        listenerReturned.set(true);
      }
    };
    Subscription subscription = store.subscribe(KeyScope.key(key), blocking, resources.executor("watch", 1));
    replace(writer, first, utf8("two"));
    assertTrue(entered.await(changeVisibilityBound().toNanos(), TimeUnit.NANOSECONDS), "change not delivered");

    CountDownLatch closed = new CountDownLatch(1);
    AtomicBoolean listenerReturnedBeforeClose = new AtomicBoolean();
    resources.executor("closer", 1).execute(() -> {
      subscription.close();
      listenerReturnedBeforeClose.set(listenerReturned.get());
      closed.countDown();
    });
    try {
      assertFalse(closed.await(100, TimeUnit.MILLISECONDS), "close returned while the listener was running");
    } finally {
      release.countDown();
    }
    assertTrue(closed.await(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS), "close did not return");
    assertTrue(listenerReturnedBeforeClose.get(), "close returned before the listener did");
    assertTrue(subscription.isClosed());
  }

  @Test
  public void subscription_closeFromInsideListener_doesNotDeadlock() throws Exception {
    String key = key("self-closing");
    AtomicReference<Subscription> self = new AtomicReference<>();
    CountDownLatch closedInside = new CountDownLatch(1);
    CountDownLatch subscribed = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    StoreListener closing = (k, state) -> {
      calls.incrementAndGet();
      try {
        if (subscribed.await(OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
          self.get().close();
          closedInside.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    ExecutorService executor = resources.executor("watch", 1);
    self.set(store.subscribe(KeyScope.key(key), closing, executor));
    subscribed.countDown();

    assertTrue(closedInside.await(changeVisibilityBound().toNanos(), TimeUnit.NANOSECONDS), "close inside the listener hung");
    assertTrue(self.get().isClosed());
    Versioned<byte[]> created = create(newClient(), key, utf8("after close"));
    RecordingListener witness = resources.recorder(KeyScope.key(key));
    store.subscribe(KeyScope.key(key), witness, executor);
    assertPresent(created, witness.next(changeVisibilityBound()).state());
    ContractResources.flush(executor);
    assertEquals(1, calls.get(), "closed subscription was called again");
  }

  // ---- closing clients ----

  @Test
  public void closedClient_operationsFailWithStoreClosed() throws Exception {
    VersionedStore client = newClient();
    Versioned<byte[]> existing = create(client, key("before-close"), utf8("x"));

    client.close();
    client.close();

    assertStoreClosed(client.get(existing.key()));
    assertStoreClosed(client.compareAndSet(key("after-close"), Precondition.absent(), utf8("y")));
    assertStoreClosed(client.compareAndSet(existing.key(), Precondition.atVersion(existing.version()), utf8("y")));
    assertStoreClosed(client.delete(existing.key(), Precondition.atVersion(existing.version())));
    assertStoreClosed(client.list(namespace));
    assertThrows(StoreClosedException.class,
        () -> client.subscribe(KeyScope.key(existing.key()), resources.recorder(KeyScope.key(existing.key())), resources.executor("watch", 1)));
    assertPresent(existing, join(store.get(existing.key())));
    assertEquals(Optional.empty(), join(store.get(key("after-close"))));
  }

  @Test
  public void closedClient_closesItsSubscriptionsAndOtherClientsKeepWorking() throws Exception {
    String key = key("shared");
    VersionedStore closing = newClient();
    ExecutorService executor = resources.executor("watch", 1);
    RecordingListener closedListener = resources.recorder(KeyScope.key(key));
    RecordingListener liveListener = resources.recorder(KeyScope.key(key));
    Subscription closedSubscription = closing.subscribe(KeyScope.key(key), closedListener, executor);
    Subscription liveSubscription = store.subscribe(KeyScope.key(key), liveListener, executor);
    closedListener.next(changeVisibilityBound());
    liveListener.next(changeVisibilityBound());

    closing.close();
    int callsAtClose = closedListener.entered();

    assertTrue(closedSubscription.isClosed(), "subscriptions close with their client");
    assertFalse(liveSubscription.isClosed());
    Versioned<byte[]> created = create(newClient(), key, utf8("still working"));
    assertPresent(created, join(store.get(key)));
    assertPresent(created, liveListener.next(changeVisibilityBound()).state());
    ContractResources.flush(executor);
    assertEquals(callsAtClose, closedListener.entered(), "closed client's listener was called: " + closedListener.events());
  }

  // ---- helpers ----

  private String key(String name) {
    return namespace + name;
  }

  private VersionedStore newClient() throws Exception {
    return resources.client(openClient());
  }

  private List<VersionedStore> newClients(int count) throws Exception {
    List<VersionedStore> opened = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      opened.add(newClient());
    }
    return opened;
  }
}
