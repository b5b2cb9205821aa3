package io.oneca.core.sim;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.CertificateRequest;
import io.oneca.api.Fingerprint;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.Pem;
import io.oneca.api.StoreUnavailableException;
import io.oneca.core.IdentitySpec;
import io.oneca.core.OneCa;
import io.oneca.core.RetryPolicy;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.sim.SimConfig.Fault;
import io.oneca.core.sim.SimConfig.Invariant;
import io.oneca.testkit.sim.SimClock;
import io.oneca.testkit.sim.SimScheduler;
import io.oneca.testkit.sim.SimStore;
import io.oneca.testkit.sim.StoreFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One seed of the OneCA simulation: 2 to 4 real {@link OneCa} replicas, each with a managed
 * identity writing files, on one {@link SimStore}, all driven by one {@link SimScheduler}. The seed
 * chooses every step (advance time, store faults, partitions, deletion, restore, clock skew and
 * jumps, restarts, rotations, issuance); the invariants of {@link SimConfig} are checked after every
 * step, in every CA-change listener call, and after the faults stop and a bounded time passed.
 * Single-threaded: the same seed and configuration give the same trace.
 */
final class Simulation {
  static final String KEY = "oneca/ca";
  /** How often replicas re-read the store. */
  static final Duration RESYNC = Duration.ofSeconds(10);
  /** How long after the faults stop every replica must equal the store. */
  static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(30);
  /** How long a replica may be cut off from the store and still issue from a CA the store distrusted. */
  static final Duration STALENESS = Duration.ofMinutes(2);
  /** How far a replica's clock may be off and still accept a CA minted by another (OneCA's default). */
  static final Duration SKEW_TOLERANCE = Duration.ofMinutes(5);
  private static final long MAX_TASKS_PER_STEP = 200_000;

  /** What one seed found. */
  record Result(long seed, SimConfig config, Map<Invariant, String> violations, String harnessFailure,
      List<String> trace, long tasks, int steps) {
    boolean failed() {
      return !violations.isEmpty() || harnessFailure != null;
    }
  }

  private final long seed;
  private final SimConfig config;
  private final int steps;
  private final Path workDirectory;
  private final Supplier<KeyPair> requestKeys;
  private final Random random;
  private final SimScheduler scheduler;
  private final SimStore store;
  private final StoreOracle oracle;
  private final List<SimReplica> replicas = new ArrayList<>();
  private final List<SimStore.Snapshot> snapshots = new ArrayList<>();
  private int restores;
  private Duration lastRestoreAt = Duration.ofDays(-1);
  private final Set<Fingerprint> forcedAway = new HashSet<>();
  private final Map<String, Duration> partitionedSince = new java.util.HashMap<>();
  private final Map<Invariant, String> violations = new LinkedHashMap<>();
  private final List<String> trace = new ArrayList<>();
  private final boolean shortLivedCas;
  private final boolean crossSign;
  private StoreFaults baseFaults = StoreFaults.NONE;
  private boolean quiescing;

  Simulation(long seed, SimConfig config, int steps, Path workDirectory, Supplier<KeyPair> requestKeys) {
    this.seed = seed;
    this.config = config;
    this.steps = steps;
    this.workDirectory = workDirectory;
    this.requestKeys = requestKeys;
    this.random = new Random(seed);
    this.scheduler = new SimScheduler(random.nextLong());
    this.store = new SimStore(scheduler, random.nextLong(), StoreFaults.NONE);
    this.oracle = new StoreOracle(store, KEY);
    this.shortLivedCas = config.injects(Fault.SCHEDULED_ROTATION) && random.nextInt(4) != 0;
    this.crossSign = random.nextBoolean();
  }

  Result run() {
    String harnessFailure = null;
    int done = 0;
    try {
      setUp();
      for (; done < steps; done++) {
        step(done);
        settle(Duration.ofMillis(random.nextInt(500)));
        checkStep();
      }
      quiesce();
      checkConvergence();
    } catch (RuntimeException | AssertionError e) {
      harnessFailure = e.toString();
      note("harness failure: " + e);
    } finally {
      tearDown();
    }
    return new Result(seed, config, Map.copyOf(violations), harnessFailure, List.copyOf(trace), scheduler.tasksRun(),
        done);
  }

  // ---- setup and steps ----

  private void setUp() {
    if (config.injects(Fault.DELAYS)) {
      baseFaults = new StoreFaults(0, 0, Duration.ofMillis(random.nextInt(300)),
          Duration.ofMillis(random.nextInt(1500)), random.nextDouble() * 0.3, 0, 0);
    }
    store.faults(baseFaults);
    int count = 2 + random.nextInt(3);
    note("seed " + seed + ": " + count + " replicas, " + (shortLivedCas ? "1-hour" : "1-day") + " CAs, cross-sign "
        + crossSign + ", " + baseFaults);
    for (int i = 1; i <= count; i++) {
      SimReplica replica = new SimReplica("r" + i, new SimClock(scheduler));
      replicas.add(replica);
      boot(replica);
    }
    settle(Duration.ofSeconds(2));
  }

  private void step(int index) {
    List<Runnable> choices = new ArrayList<>();
    choices.add(() -> advance(Duration.ofMillis(1 + random.nextInt(20_000))));
    choices.add(() -> advance(Duration.ofMillis(1 + random.nextInt(3_000))));
    choices.add(() -> advance(Duration.ofMinutes(1 + random.nextInt(shortLivedCas ? 12 : 5))));
    if (config.injects(Fault.STORE_ERRORS)) {
      choices.add(this::toggleStoreErrors);
    }
    if (config.injects(Fault.BUGGY_BACKEND)) {
      choices.add(this::toggleBuggyBackend);
    }
    if (config.injects(Fault.PARTITION)) {
      choices.add(this::togglePartition);
    }
    if (config.injects(Fault.DELETE_RECORD) && random.nextInt(3) == 0) {
      choices.add(this::deleteRecord);
    }
    if (config.injects(Fault.RESTORE)) {
      choices.add(this::restoreOrSnapshot);
    }
    if (config.injects(Fault.CLOCK_SKEW)) {
      choices.add(this::skewClock);
    }
    if (config.injects(Fault.CLOCK_JUMP) && random.nextBoolean()) {
      choices.add(this::jumpClock);
    }
    if (config.injects(Fault.RESTART)) {
      choices.add(this::restart);
    }
    if (config.injects(Fault.FORCED_ROTATION) && random.nextBoolean()) {
      choices.add(this::forceRotation);
    }
    if (config.injects(Fault.SCHEDULED_ROTATION)) {
      choices.add(this::requestRotationStep);
    }
    if (config.injects(Fault.ISSUANCE)) {
      choices.add(this::issue);
    }
    choices.get(random.nextInt(choices.size())).run();
  }

  private void advance(Duration duration) {
    note("advance " + duration.toMillis() + " ms");
    settle(duration);
  }

  private void toggleStoreErrors() {
    StoreFaults now = store.faults();
    StoreFaults next = now.unavailable() > 0 || now.lostReply() > 0
        ? new StoreFaults(0, 0, now.maxReplyDelay(), now.maxDeliveryDelay(), now.duplicateDelivery(),
            now.buggyStaleDelivery(), now.buggyDroppedDelivery())
        : new StoreFaults(random.nextDouble() * 0.4, random.nextDouble() * 0.4, now.maxReplyDelay(),
            now.maxDeliveryDelay(), now.duplicateDelivery(), now.buggyStaleDelivery(), now.buggyDroppedDelivery());
    store.faults(next);
    note("store errors: unavailable " + percent(next.unavailable()) + ", lost replies " + percent(next.lostReply()));
  }

  private void toggleBuggyBackend() {
    StoreFaults now = store.faults();
    boolean on = !now.buggy();
    store.faults(new StoreFaults(now.unavailable(), now.lostReply(), now.maxReplyDelay(), now.maxDeliveryDelay(),
        now.duplicateDelivery(), on ? random.nextDouble() * 0.5 : 0, on ? random.nextDouble() * 0.5 : 0));
    note("buggy backend " + (on ? "on" : "off"));
  }

  private void togglePartition() {
    SimReplica replica = pick();
    boolean cut = !store.isPartitioned(replica.name);
    store.partition(replica.name, cut);
    if (cut) {
      partitionedSince.put(replica.name, scheduler.elapsed());
    } else {
      partitionedSince.remove(replica.name);
    }
    note((cut ? "partition " : "heal ") + replica.name);
  }

  private void deleteRecord() {
    if (store.deleteRecord(KEY)) {
      note("operator deletes the CA record");
    }
  }

  private void restoreOrSnapshot() {
    if (snapshots.isEmpty() || random.nextBoolean()) {
      snapshots.add(store.snapshot());
      note("snapshot at revision " + store.revision());
      return;
    }
    SimStore.Snapshot snapshot = snapshots.get(random.nextInt(snapshots.size()));
    store.restore(snapshot);
    restores++;
    lastRestoreAt = scheduler.elapsed();
    note("restore snapshot of revision " + snapshot.revision() + " (" + describeStored() + ")");
  }

  private void skewClock() {
    SimReplica replica = pick();
    Duration offset = random.nextInt(4) == 0 ? Duration.ZERO : Duration.ofSeconds(random.nextInt(361) - 180);
    replica.clock.skew(offset);
    note("clock of " + replica.name + " skewed to " + offset.toSeconds() + " s");
  }

  private void jumpClock() {
    SimReplica replica = pick();
    Duration jump = Duration.ofSeconds(random.nextInt(601) - 300);
    replica.clock.jump(jump);
    note("clock of " + replica.name + " jumps " + jump.toSeconds() + " s");
  }

  private void restart() {
    SimReplica replica = pick();
    note("restart " + replica.name);
    shutDown(replica);
    boot(replica);
  }

  private void forceRotation() {
    SimReplica replica = pickLive();
    if (replica == null) {
      return;
    }
    boolean distrust = random.nextInt(3) == 0;
    Fingerprint from = replica.oneCa.ca().fingerprint();
    forcedAway.add(from);
    note(replica + " forces a rotation away from " + oracle.name(from) + (distrust ? ", distrusting it" : ""));
    follow(replica, "force", replica.oneCa.rotation().force(from, distrust));
  }

  private void requestRotationStep() {
    SimReplica replica = pickLive();
    if (replica == null) {
      return;
    }
    switch (random.nextInt(3)) {
      case 0 -> {
        note(replica + " requests prepare");
        follow(replica, "prepare", replica.oneCa.rotation().prepare());
      }
      case 1 -> {
        note(replica + " requests activate");
        follow(replica, "activate", replica.oneCa.rotation().activate());
      }
      default -> {
        note(replica + " ticks the rotation");
        follow(replica, "tick", replica.oneCa.rotation().tick());
      }
    }
  }

  private void follow(SimReplica replica, String step, CompletableFuture<TransitionResult> result) {
    result.whenComplete((done, error) -> note(replica + " " + step + ": "
        + (error != null ? "failed " + unwrap(error).getClass().getSimpleName() : done.outcome())));
  }

  private void issue() {
    SimReplica replica = pickLive();
    if (replica == null) {
      return;
    }
    try {
      IssuedCertificate issued = replica.oneCa.issue(CertificateRequest.fromPublicKey(requestKeys.get().getPublic())
          .commonName("client").build(), "sim");
      note(replica + " issues a leaf from " + oracle.name(issued.caFingerprint()) + "@v" + issued.caVersion());
      oracle.update();
      if (config.checks(Invariant.CONFIRMED_CA) && !oracle.confirmed(issued.caVersion(), issued.caFingerprint())) {
        violation(Invariant.CONFIRMED_CA, replica + " issued a leaf from " + oracle.name(issued.caFingerprint())
            + " at version " + issued.caVersion() + ", which the store never held at that version");
      }
      Duration cutSince = partitionedSince.get(replica.name);
      Optional<StoreOracle.StoredCa> stored = oracle.current();
      if (config.checks(Invariant.STALE_ISSUANCE) && cutSince != null
          && scheduler.elapsed().minus(cutSince).compareTo(STALENESS) > 0
          && stored.isPresent() && !stored.get().bundle().contains(issued.caFingerprint())) {
        violation(Invariant.STALE_ISSUANCE, replica + ", cut off from the store for "
            + scheduler.elapsed().minus(cutSince).toSeconds() + " s, issued a leaf from "
            + oracle.name(issued.caFingerprint()) + ", which the store no longer trusts (it holds "
            + describeStored() + ")");
      }
    } catch (RuntimeException e) {
      note(replica + " cannot issue: " + e.getClass().getSimpleName());
    }
  }

  // ---- replicas ----

  private void boot(SimReplica replica) {
    replica.incarnation++;
    replica.resetIncarnation();
    replica.client = store.client(replica.name);
    RotationPolicy policy = RotationPolicy.builder().automatic(true).checkInterval(Duration.ofSeconds(30))
        .crossSign(crossSign).build();
    io.oneca.core.OneCaBuilder builder = OneCa.builder();
    SimulationRunner.keyProvider().ifPresent(builder::provider);
    OneCa oneCa = builder
        .store(replica.client)
        .clock(replica.clock)
        .scheduler(scheduler)
        .allowPlaintextCaKey()
        .replicaId(replica.name)
        .caSubject("CN=Sim CA")
        .caValidity(shortLivedCas ? Duration.ofHours(1) : Duration.ofDays(1))
        .resyncInterval(RESYNC)
        .maxStoreStaleness(STALENESS)
        .clockSkewTolerance(SKEW_TOLERANCE)
        .bootstrapRetry(new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(2), 0))
        .rotation(policy)
        .auditSink(event -> { })
        .build();
    replica.oneCa = oneCa;
    int incarnation = replica.incarnation;
    oneCa.onCaChange(view -> onCaChange(replica, incarnation, view));
    replica.start = oneCa.startAsync();
    replica.start.whenComplete((result, error) -> onStarted(replica, incarnation, result, error));
  }

  private void shutDown(SimReplica replica) {
    OneCa closing = replica.oneCa;
    if (closing != null) {
      replica.oneCa = null;
      replica.identity = null;
      closing.close();
      replica.client.close();
    }
  }

  /** Runs the scheduler for {@code duration}, handling bootstraps that finished meanwhile. */
  private void settle(Duration duration) {
    Duration left = duration;
    Duration slice = Duration.ofSeconds(1);
    do {
      Duration now = left.compareTo(slice) < 0 ? left : slice;
      scheduler.runFor(now, MAX_TASKS_PER_STEP);
      left = left.minus(now);
      handleStarts();
    } while (!left.isZero());
  }

  /** Runs inside the completion of the bootstrap, before any later task: what it adopted, and whether it may. */
  private void onStarted(SimReplica replica, int incarnation, BootstrapResult result, Throwable error) {
    if (replica.incarnation != incarnation || replica.oneCa == null) {
      return;
    }
    if (error != null) {
      startFailed(replica, unwrap(error));
      return;
    }
    oracle.update();
    CaView ca = result.ca();
    note(replica + " started: " + result.outcome() + " " + oracle.name(ca.fingerprint()) + "@v" + ca.storeVersion());
    if (config.checks(Invariant.LINEAGE) && result.outcome() == BootstrapResult.Outcome.CREATED) {
      int created = oracle.firstRecordOf(ca.fingerprint()).map(StoreOracle.StoredCa::historyIndex).orElse(-1);
      if (created > oracle.firstRecordIndex()) {
        violation(Invariant.LINEAGE, replica + " founded a new CA " + oracle.name(ca.fingerprint()) + " at version "
            + ca.storeVersion() + " although the store held a CA before (deleted or restored away): a bootstrap "
            + "must not silently create a CA where one existed");
      }
    }
    observe(replica, ca, "bootstrap");
  }

  /** Gives replicas whose bootstrap finished their managed identity (outside any scheduler task). */
  private void handleStarts() {
    for (SimReplica replica : replicas) {
      if (replica.oneCa == null || replica.startHandled || !replica.start.isDone()) {
        continue;
      }
      replica.startHandled = true;
      if (replica.start.isCompletedExceptionally()) {
        continue;
      }
      try {
        replica.output = workDirectory.resolve(replica.name + "-" + replica.incarnation);
        replica.identity = replica.oneCa.identity(IdentitySpec.builder("server").dnsName(replica.name + ".sim")
            .jitterShare(0).retry(new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(10), 0))
            .outputDirectory(replica.output).build());
      } catch (RuntimeException e) {
        note(replica + " identity failed: " + e.getClass().getSimpleName());
      }
    }
  }

  private void startFailed(SimReplica replica, Throwable cause) {
    replica.down = true;
    note(replica + " start failed: " + cause.getClass().getSimpleName());
    if (cause instanceof StoreUnavailableException) {
      replica.gaveUpUnreachable = true;
      return;
    }
    if (cause instanceof io.oneca.api.ClockSkewException || cause instanceof io.oneca.api.CaLineageException) {
      // Refusals OneCA is built to make, loudly: a CA minted by a replica whose clock was ahead by more
      // than the tolerance (named as clock skew), a record missing at the bootstrap's read while the
      // lineage evidence says a CA existed (deleted, then restored), or a restored record whose CA a
      // forced rotation distrusted. The START invariant does not hold such a replica to starting.
      note(replica + " refused to start, as designed (" + cause.getClass().getSimpleName() + ")");
      replica.refusedByDesign = true;
      return;
    }
    oracle.update();
    if (config.checks(Invariant.START) && oracle.current().isPresent()) {
      violation(Invariant.START, replica + " (clock offset " + replica.clock.offset().toSeconds() + " s) cannot start "
          + "while the store holds " + describeStored() + ": " + cause);
    }
  }

  private void onCaChange(SimReplica replica, int incarnation, CaView view) {
    if (replica.incarnation != incarnation) {
      return;
    }
    oracle.update();
    note(replica + " listener: " + oracle.name(view.fingerprint()) + "@v" + view.storeVersion());
    if (config.checks(Invariant.LISTENER_THREAD) && !scheduler.inExecutorTask()) {
      violation(Invariant.LISTENER_THREAD, replica + " ran its CA-change listener for version " + view.storeVersion()
          + (scheduler.inAnyTask() ? " on a store I/O completion" : " outside the scheduler")
          + ", not on OneCA's scheduler");
    }
    // After the store itself went backwards (a restore), the replica re-adopts a lower or reused version
    // of its line (RegressionTest checks that health reports it); versions count up from there again.
    // One step back is allowed per restore not yet used by this replica (a delivery in flight during
    // the restore may raise the version first).
    boolean regressed = view.storeVersion() <= replica.lastListenerVersion && afterRestore(replica.restoresSeenByListener);
    if (config.checks(Invariant.LISTENER_ORDER) && view.storeVersion() <= replica.lastListenerVersion && !regressed) {
      violation(Invariant.LISTENER_ORDER, replica + " listener saw version " + view.storeVersion() + " after "
          + replica.lastListenerVersion);
    }
    if (regressed) {
      replica.restoresSeenByListener = restores;
    }
    if (regressed || view.storeVersion() > replica.lastListenerVersion) {
      replica.lastListenerVersion = view.storeVersion();
    }
    observe(replica, view, "listener");
  }

  /** The checks on every CA a replica is seen holding. */
  private void observe(SimReplica replica, CaView view, String source) {
    if (config.checks(Invariant.CONFIRMED_CA) && !oracle.confirmed(view.storeVersion(), view.fingerprint())) {
      violation(Invariant.CONFIRMED_CA, replica + " holds " + oracle.name(view.fingerprint()) + " at version "
          + view.storeVersion() + " (" + source + "), which the store never held at that version");
    }
    boolean regressed = view.storeVersion() < replica.maxVersion && afterRestore(replica.restoresSeen);
    if (config.checks(Invariant.MONOTONIC_VERSION) && view.storeVersion() < replica.maxVersion && !regressed) {
      violation(Invariant.MONOTONIC_VERSION, replica + " went back from version " + replica.maxVersion + " to "
          + view.storeVersion() + " (" + source + ")");
    }
    if (regressed) {
      replica.restoresSeen = restores;
    }
    if (regressed || view.storeVersion() > replica.maxVersion) {
      replica.maxVersion = view.storeVersion();
    }
    CaView previous = replica.lastView;
    if (config.checks(Invariant.LINEAGE) && previous != null && !previous.fingerprint().equals(view.fingerprint())
        && !continues(previous, view)) {
      violation(Invariant.LINEAGE, replica + " moved from " + oracle.name(previous.fingerprint()) + "@v"
          + previous.storeVersion() + " to " + oracle.name(view.fingerprint()) + "@v" + view.storeVersion() + " ("
          + source + "): it does not descend from the held CA in the store's history, was not in its trust bundle, "
          + "and no operator forced a rotation away");
    }
    replica.lastView = view;
  }

  /**
   * The lineage rule, judged with the store's full history (ground truth the replica does not
   * have): the new CA descends from the held one (prepared under it, or written over it, possibly
   * through several rotations the replica missed), or was already in the held trust bundle (a
   * rollback to a retired CA), or an operator forced a rotation away from the held one.
   */
  /** Whether the store's CA continues what {@code held} holds, by the simulation's own account of history. */
  private boolean continues(CaView held, StoreOracle.StoredCa stored) {
    if (forcedAway.contains(held.fingerprint()) || oracle.descends(stored.active(), held.fingerprint())) {
      return true;
    }
    for (X509Certificate trusted : held.trustBundle()) {
      if (Fingerprint.of(trusted).equals(stored.active())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a version may go back now: a restore this replica has not used yet, or one within the
   * last minute (deliveries and reads in flight across two quick restores interleave).
   */
  private boolean afterRestore(int restoresSeen) {
    return restores > restoresSeen || scheduler.elapsed().minus(lastRestoreAt).compareTo(Duration.ofMinutes(1)) <= 0;
  }

  /** Whether the replica's health has a check of that name that is not UP. */
  private static boolean reports(SimReplica replica, String check) {
    return replica.oneCa != null && replica.oneCa.health().check(check)
        .map(found -> found.status() != HealthStatus.UP).orElse(false);
  }

  private boolean continues(CaView previous, CaView next) {
    if (forcedAway.contains(previous.fingerprint()) || oracle.descends(next.fingerprint(), previous.fingerprint())) {
      return true;
    }
    for (X509Certificate trusted : previous.trustBundle()) {
      if (Fingerprint.of(trusted).equals(next.fingerprint())) {
        return true;
      }
    }
    return false;
  }

  // ---- checks ----

  private void checkStep() {
    oracle.update();
    for (SimReplica replica : replicas) {
      if (replica.live()) {
        observe(replica, replica.oneCa.ca(), "step");
      }
    }
  }

  /** Faults stop: store healthy, partitions healed, clocks right, replicas that gave up restarted. */
  private void quiesce() {
    quiescing = true;
    store.faults(StoreFaults.NONE);
    partitionedSince.clear();
    for (SimReplica replica : replicas) {
      store.partition(replica.name, false);
      replica.clock.skew(Duration.ZERO);
    }
    note("faults stop");
    for (SimReplica replica : replicas) {
      if (replica.oneCa == null || replica.down) {
        note("restart " + replica.name + " (was down)");
        shutDown(replica);
        boot(replica);
      }
    }
    // A bootstrap still retrying when the faults stopped may give up afterwards (its attempts are
    // bounded by design); the operator's process supervisor would restart it, and so does this.
    for (long second = 0; second < CONVERGENCE_BOUND.toSeconds(); second++) {
      settle(Duration.ofSeconds(1));
      for (SimReplica replica : replicas) {
        if (replica.down && replica.gaveUpUnreachable) {
          note("restart " + replica.name + " (its bootstrap gave up while the store was unreachable)");
          shutDown(replica);
          boot(replica);
        }
      }
    }
    checkStep();
  }

  private void checkConvergence() {
    Optional<StoreOracle.StoredCa> current = oracle.current();
    if (current.isEmpty()) {
      note("the store holds no CA record at the end: convergence not checked");
      return;
    }
    StoreOracle.StoredCa stored = current.get();
    note("end: store holds " + oracle.name(stored.active()) + "@v" + stored.version());
    List<SimReplica> live = replicas.stream().filter(SimReplica::live).toList();
    for (SimReplica replica : replicas) {
      if (!replica.live() && config.checks(Invariant.START) && !replica.refusedByDesign) {
        violation(Invariant.START, replica + " is not running " + CONVERGENCE_BOUND.toSeconds()
            + " s after the faults stopped, with " + describeStored() + " in the store");
      }
    }
    List<SimReplica> refusing = new ArrayList<>();
    for (SimReplica replica : live) {
      CaView held = replica.oneCa.ca();
      if (!held.fingerprint().equals(stored.active()) && (restores > 0 || !continues(held, stored))
          && reports(replica, "ca-lineage")
          && replica.oneCa.health().status() == HealthStatus.DOWN) {
        // The store went to a CA off this replica's line, or was restored to a point this replica
        // cannot prove continues what it holds (before a distrusting forced rotation, or before its
        // CA was pruned): refusing it loudly, health DOWN, is the required behaviour.
        note(replica + " refuses the store's " + oracle.name(stored.active()) + " and keeps "
            + oracle.name(held.fingerprint()) + "@v" + held.storeVersion() + ", health DOWN (ca-lineage)");
        refusing.add(replica);
      }
    }
    java.time.Instant now = scheduler.now();
    boolean mintedAhead = stored.activeCertificate().getNotBefore().toInstant().isAfter(now.plus(SKEW_TOLERANCE));
    for (SimReplica replica : live) {
      if (!refusing.contains(replica) && replica.oneCa.health().check("ca-consistency")
          .map(check -> check.status() != HealthStatus.UP && check.detail().contains("clock skew")
              && check.detail().contains("more than the tolerated")).orElse(false)
          && (mintedAhead || stored.prepared().isPresent())) {
        // A replica whose clock was ahead by more than the tolerance minted a CA (active or prepared)
        // not yet valid for the others: they must refuse it, naming clock skew, until it becomes valid.
        note(replica + " refuses the store's record at v" + stored.version()
            + ": a CA in it is not valid yet beyond the tolerated skew, and it names clock skew");
        refusing.add(replica);
      }
    }
    live = live.stream().filter(replica -> !refusing.contains(replica)).toList();
    for (SimReplica replica : live) {
      CaView view = replica.oneCa.ca();
      if (config.checks(Invariant.CONVERGENCE)) {
        if (view.storeVersion() != stored.version() || !view.fingerprint().equals(stored.active())) {
          violation(Invariant.CONVERGENCE, replica + " holds " + oracle.name(view.fingerprint()) + "@v"
              + view.storeVersion() + " " + CONVERGENCE_BOUND.toSeconds() + " s after the faults stopped; the store "
              + "holds " + oracle.name(stored.active()) + "@v" + stored.version() + "; its health: "
              + replica.oneCa.health().describe().replace("\n", " | "));
        } else if (replica.identity != null && !replica.identity.current().caFingerprint().equals(stored.active())) {
          violation(Invariant.CONVERGENCE, replica + "'s identity is signed by "
              + oracle.name(replica.identity.current().caFingerprint()) + ", the store's active CA is "
              + oracle.name(stored.active()));
        }
      }
      if (replica.identity == null) {
        if (config.checks(Invariant.CONVERGENCE)) {
          violation(Invariant.CONVERGENCE, replica + " has no identity after the faults stopped");
        }
        continue;
      }
      if (config.checks(Invariant.TRUST_CONVERGENCE)) {
        Set<Fingerprint> anchors = fingerprints(replica.identity.trustManager().anchors());
        if (!anchors.equals(stored.bundle())) {
          violation(Invariant.TRUST_CONVERGENCE, replica + "'s trust manager holds " + names(anchors)
              + ", the store's bundle is " + names(stored.bundle()));
        }
      }
      if (config.checks(Invariant.FILES_CONVERGENCE)) {
        checkFiles(replica, stored);
      }
    }
    if (config.checks(Invariant.LEAF_CHAINS)) {
      for (SimReplica server : live) {
        for (SimReplica peer : live) {
          if (server != peer && server.identity != null && peer.identity != null
              && !chainsTo(server.identity.current().chain(), peer.identity.trustManager().anchors())) {
            violation(Invariant.LEAF_CHAINS, server + "'s leaf (from "
                + oracle.name(server.identity.current().caFingerprint()) + ") does not chain to " + peer
                + "'s trust bundle " + names(fingerprints(peer.identity.trustManager().anchors())));
          }
        }
      }
    }
  }

  private void checkFiles(SimReplica replica, StoreOracle.StoredCa stored) {
    try {
      Set<Fingerprint> caFile = fingerprints(Pem.decodeCertificates(
          Files.readString(replica.output.resolve("ca.crt"), StandardCharsets.US_ASCII)));
      if (!caFile.equals(stored.bundle())) {
        violation(Invariant.FILES_CONVERGENCE, replica + "'s ca.crt holds " + names(caFile) + ", the store's bundle is "
            + names(stored.bundle()));
        return;
      }
      List<X509Certificate> tls = Pem.decodeCertificates(
          Files.readString(replica.output.resolve("tls.crt"), StandardCharsets.US_ASCII));
      if (!signedBy(tls.get(0), stored.activeCertificate())) {
        violation(Invariant.FILES_CONVERGENCE, replica + "'s tls.crt is not signed by the store's active CA "
            + oracle.name(stored.active()));
      }
    } catch (IOException e) {
      violation(Invariant.FILES_CONVERGENCE, replica + "'s output directory cannot be read: " + e);
    }
  }

  private static boolean chainsTo(List<X509Certificate> chain, List<X509Certificate> anchors) {
    for (int i = 0; i < chain.size(); i++) {
      for (X509Certificate anchor : anchors) {
        if (signedBy(chain.get(i), anchor)) {
          return true;
        }
      }
      if (i + 1 >= chain.size() || !signedBy(chain.get(i), chain.get(i + 1))) {
        return false;
      }
    }
    return false;
  }

  private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
    if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      certificate.verify(issuer.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private void violation(Invariant invariant, String detail) {
    note("VIOLATION " + invariant + ": " + detail);
    violations.putIfAbsent(invariant, detail);
  }

  // ---- helpers ----

  private void tearDown() {
    for (SimReplica replica : replicas) {
      try {
        shutDown(replica);
      } catch (RuntimeException e) {
        note("close of " + replica + " failed: " + e);
      }
    }
    deleteRecursively(workDirectory);
  }

  private SimReplica pick() {
    return replicas.get(random.nextInt(replicas.size()));
  }

  private SimReplica pickLive() {
    SimReplica replica = pick();
    return replica.live() ? replica : null;
  }

  private String describeStored() {
    oracle.update();
    return oracle.current().map(ca -> oracle.name(ca.active()) + "@v" + ca.version()).orElse("no record");
  }

  private Set<Fingerprint> fingerprints(List<X509Certificate> certificates) {
    Set<Fingerprint> result = new HashSet<>();
    for (X509Certificate certificate : certificates) {
      result.add(Fingerprint.of(certificate));
    }
    return result;
  }

  private List<String> names(Set<Fingerprint> fingerprints) {
    return fingerprints.stream().map(oracle::name).sorted().toList();
  }

  private void note(String text) {
    trace.add(String.format("%9.3fs %s", scheduler.elapsed().toNanos() / 1e9, text));
  }

  private static String percent(double share) {
    return Math.round(share * 100) + "%";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
