package io.oneca.samples.cloudcore.soak;

import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.samples.cloudcore.demo.CloudCoreDemo;
import io.oneca.samples.cloudcore.demo.DemoCheck;
import io.oneca.samples.cloudcore.demo.ReplicaProcess;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.join.JoinTokens;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The chaos/soak driver of the zero-downtime goal: starts a real store (etcd or ZooKeeper), 3
 * replica processes and N edges in this JVM that keep continuous mTLS traffic (every ping a full
 * handshake), then injects faults on a seeded schedule for the given duration: forced CA rotations
 * (spaced so that every edge and replica is on the newest CA before the next one: a cross-signed
 * successor bridges exactly one step), replica SIGKILLs and clean restarts (each restarted replica
 * gets a new serving identity), store restarts and dropped edge connections. Every action is logged
 * with its time. At the end it checks that every replica and edge is on the store's current CA, that
 * no replica's CA record version and no edge's bundle version went backwards, that no request
 * failed for a certificate or trust reason, and that every ping that met an unavailable replica was
 * answered by another one.
 */
public final class SoakDriver {
  private static final int REPLICAS = 3;

  private final SoakOptions options;
  private final PrintStream out;
  private final long t0 = System.nanoTime();
  private final List<DemoCheck> checks = new ArrayList<>();
  private final Map<SoakFault, Long> faults = new EnumMap<>(SoakFault.class);
  private Path kekFile;
  private SoakStore store;
  private ReplicaFleet replicas;
  private EdgeFleet edges;
  private long trafficStart;
  private long trafficEnd;
  private List<EdgeStatus> finalStatuses;

  private SoakDriver(SoakOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs a soak.
   *
   * @param options what to run
   * @param out where the timeline and the summary go
   * @return the counts and checks; the run succeeded if {@link SoakResult#passed()}
   * @throws Exception if the run could not be set up
   */
  public static SoakResult run(SoakOptions options, PrintStream out) throws Exception {
    SoakDriver driver = new SoakDriver(options, out);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "soak-sampler");
      t.setDaemon(true);
      return t;
    });
    try {
      driver.runSteps(sampler);
      return driver.result();
    } finally {
      sampler.shutdownNow();
      driver.stopAll();
    }
  }

  private void runSteps(ScheduledExecutorService sampler) throws Exception {
    Path runDir = Files.createDirectories(options.runDir());
    Path logDir = Files.createDirectories(runDir.resolve("logs"));
    kekFile = CloudCoreDemo.secretFile(runDir.resolve("kek.bin"), false);
    Path tokenKeyFile = runDir.resolve("token.key");
    if (!Files.exists(tokenKeyFile)) {
      JoinTokens.generateKeyFile(tokenKeyFile);
    }
    store = SoakStore.start(options.store(), runDir.resolve("zk"));
    log(String.format(Locale.ROOT, "soak: %s store %s, %d replicas, %d edges (a ping every %d ms each), %s of faults, seed %d",
        options.store(), store.uri(), REPLICAS, options.edges(), options.pingInterval().toMillis(), options.duration(),
        options.seed()));
    log("logs: " + logDir);
    replicas = new ReplicaFleet(List.of("--store", store.uri(), "--kek-file", kekFile.toString(),
        "--token-key-file", tokenKeyFile.toString(), "--identity-ttl", options.identityTtl().toSeconds() + "s",
        "--edge-ttl", options.edgeTtl().toSeconds() + "s"), logDir, this::log);
    boolean started = replicas.startAll(REPLICAS, options.convergenceBound());
    String ca = replicas.replicas().get(0).caFingerprint();
    check("every replica started on one CA", started && replicas.replicas().stream()
        .allMatch(r -> r.caFingerprint().equals(ca)), REPLICAS + " replicas, CA " + ReplicaFleet.shortFp(ca));
    if (!started) {
      return;
    }
    edges = EdgeFleet.start(options.edges(), runDir.resolve("edges"), replicas.endpoints(),
        JoinTokens.fromKeyFile(tokenKeyFile), ca, options.pingInterval(), this::log);
    boolean joined = replicas.pump(options.convergenceBound(), throttled(() -> edges.edges().size() == options.edges()
        && edges.statuses().stream().allMatch(s -> s.streamReplica().isPresent() && s.pingsOk() > 0)));
    check("every edge joined and keeps a hub stream", joined, edges.edges().size() + " of " + options.edges());
    if (!joined) {
      return;
    }
    trafficStart = System.nanoTime();
    log("every edge joined; traffic and faults start");
    long[] lastProgress = {System.nanoTime()};
    sampler.scheduleWithFixedDelay(() -> {
      edges.sample();
      if (System.nanoTime() - lastProgress[0] >= TimeUnit.SECONDS.toNanos(10)) {
        lastProgress[0] = System.nanoTime();
        progress();
      }
    }, 1, 1, TimeUnit.SECONDS);
    boolean scheduleHeld = injectFaults();
    check("every fault was applied and everything converged after it", scheduleHeld, faults.toString());
    String current = operatorCa();
    boolean converged = replicas.pump(options.convergenceBound(), throttled(() -> onCa(current)));
    trafficEnd = System.nanoTime();
    edges.sample();
    log("end: store's current CA " + ReplicaFleet.shortFp(current) + (converged ? "; everyone is on it" : "; NOT converged"));
    endChecks(current, converged);
  }

  /** Runs rounds of the seeded schedule until the duration passed and the current round is done. */
  private boolean injectFaults() throws Exception {
    Random random = new Random(options.seed());
    long deadline = trafficStart + options.duration().toNanos();
    Deque<SoakFault> round = new ArrayDeque<>();
    while (true) {
      if (round.isEmpty()) {
        if (System.nanoTime() >= deadline) {
          return true;
        }
        round.addAll(SoakFault.round(random));
      }
      long gap = options.minGap().toMillis()
          + (long) (random.nextDouble() * (options.maxGap().toMillis() - options.minGap().toMillis()));
      replicas.pump(Duration.ofMillis(gap), () -> false);
      SoakFault fault = round.poll();
      faults.merge(fault, 1L, Long::sum);
      if (!apply(fault, random)) {
        log("stopping the schedule: " + fault.description() + " did not converge within " + options.convergenceBound());
        return false;
      }
    }
  }

  private boolean apply(SoakFault fault, Random random) throws Exception {
    switch (fault) {
      case ROTATE_CA -> {
        String from = operatorCa();
        log("fault: operator forces a CA rotation away from " + ReplicaFleet.shortFp(from));
        long at = System.nanoTime();
        String to = rotate();
        log("rotation applied: CA " + ReplicaFleet.shortFp(from) + " -> " + ReplicaFleet.shortFp(to));
        boolean converged = replicas.pump(options.convergenceBound(), throttled(() -> onCa(to)));
        log(String.format(Locale.ROOT, "%s %.0f ms after the rotation",
            converged ? "every replica serves and every edge holds the new CA" : "NOT converged", (System.nanoTime() - at) / 1e6));
        return converged;
      }
      case KILL_REPLICA, RESTART_REPLICA -> {
        int index = random.nextInt(REPLICAS);
        Duration pause = Duration.ofMillis(500 + random.nextInt(2_000));
        log("fault: " + (fault == SoakFault.KILL_REPLICA ? "SIGKILL" : "clean restart of") + " replica-" + index
            + ", down for " + pause.toMillis() + " ms");
        boolean back = replicas.restart(index, fault == SoakFault.KILL_REPLICA, pause, options.convergenceBound());
        log("replica-" + index + (back ? " is back on the same ports" : " did NOT come back"));
        return back;
      }
      case RESTART_STORE -> {
        log("fault: restarting the " + options.store() + " server");
        store.restart();
        log(options.store() + " server is back");
        return true;
      }
      case DROP_CONNECTIONS -> {
        int n = edges.dropSome(random);
        log("fault: closed the hub stream connections of " + n + " edges");
        return true;
      }
      default -> throw new IllegalStateException("unknown fault " + fault);
    }
  }

  private boolean onCa(String ca) {
    return replicas.replicas().stream().allMatch(r -> r.started() && r.caFingerprint().equals(ca)
        && r.servingIssuer().equals(ca))
        && edges.statuses().stream().allMatch(s -> s.issuerFingerprint().equals(ca));
  }

  private OneCa operator(VersionedStore s) {
    return OneCa.builder().store(s).replicaId("soak-operator")
        .keyEncryptionKey(KeyEncryptionKeys.fromFile(kekFile))
        .rotation(RotationPolicy.builder().crossSign(true).automatic(false).build())
        .build();
  }

  /** Forces a rotation as an operator would; returns the new CA's fingerprint. */
  private String rotate() throws Exception {
    try (VersionedStore s = Stores.open(store.uri()); OneCa operator = operator(s)) {
      operator.start();
      TransitionResult result = operator.rotation().force(false).get(60, TimeUnit.SECONDS);
      if (result.outcome() != TransitionResult.Outcome.APPLIED) {
        throw new IllegalStateException("the rotation was not applied: " + result);
      }
      return operator.reload().get(60, TimeUnit.SECONDS).fingerprint().sha256Hex();
    }
  }

  /** Reads the store's active CA through an operator OneCa. */
  private String operatorCa() throws Exception {
    try (VersionedStore s = Stores.open(store.uri()); OneCa operator = operator(s)) {
      operator.start();
      return operator.reload().get(60, TimeUnit.SECONDS).fingerprint().sha256Hex();
    }
  }

  private void endChecks(String current, boolean converged) {
    List<ReplicaProcess> rs = replicas.replicas();
    List<EdgeStatus> es = edges.statuses();
    finalStatuses = es;
    check("every replica is on the store's current CA", rs.stream().allMatch(r -> r.started()
        && r.caFingerprint().equals(current) && r.servingIssuer().equals(current)), rs.stream()
        .map(r -> r.id() + "=" + ReplicaFleet.shortFp(r.caFingerprint()) + "/" + ReplicaFleet.shortFp(r.servingIssuer()))
        .toList().toString());
    long off = es.stream().filter(s -> !s.issuerFingerprint().equals(current)).count();
    check("every edge holds a certificate of the store's current CA", off == 0, off + " of " + es.size() + " are not");
    List<String> versions = replicas.regressions();
    check("no replica's CA record version went backwards", versions.isEmpty(),
        versions.isEmpty() ? replicas.versionLines() + " version reports" : versions.toString());
    List<String> bundles = edges.regressions();
    check("no edge's trust bundle version went backwards", bundles.isEmpty(),
        bundles.isEmpty() ? edges.samples() + " samples" : bundles.toString());
    long trust = es.stream().mapToLong(s -> s.failures(FailureKind.CERTIFICATE_OR_TRUST)).sum();
    long handshakes = es.stream().mapToLong(EdgeStatus::handshakes).sum();
    check("no certificate or trust failure", trust == 0 && handshakes > 0, trust + " in " + handshakes + " handshakes"
        + es.stream().filter(s -> s.failures(FailureKind.CERTIFICATE_OR_TRUST) > 0).findFirst()
            .map(s -> "; e.g. " + s.node() + ": " + s.lastFailure().orElse("")).orElse(""));
    long retried = es.stream().mapToLong(EdgeStatus::pingsRetried).sum();
    long unanswered = es.stream().mapToLong(EdgeStatus::pingsUnanswered).sum();
    check("every ping that met an unavailable replica was answered by another", unanswered == 0,
        retried + " retried successfully, " + unanswered + " unanswered");
  }

  private SoakResult result() {
    List<EdgeStatus> es = finalStatuses != null ? finalStatuses : edges == null ? List.of() : edges.statuses();
    long end = trafficEnd > 0 ? trafficEnd : System.nanoTime();
    Duration elapsed = trafficStart == 0 ? Duration.ZERO : Duration.ofNanos(end - trafficStart);
    return new SoakResult(elapsed, es.stream().mapToLong(EdgeStatus::handshakes).sum(),
        es.stream().mapToLong(EdgeStatus::pingsOk).sum(), es.stream().mapToLong(EdgeStatus::pingsRetried).sum(),
        es.stream().mapToLong(EdgeStatus::pingsUnanswered).sum(), EdgeFleet.failures(es),
        es.stream().mapToLong(EdgeStatus::renewals).sum(), es.stream().mapToLong(EdgeStatus::streamConnects).sum(),
        replicas == null ? 0 : replicas.servingChanges(), faults, checks);
  }

  private void progress() {
    List<EdgeStatus> es = edges.statuses();
    long handshakes = es.stream().mapToLong(EdgeStatus::handshakes).sum();
    double seconds = (System.nanoTime() - trafficStart) / 1e9;
    log(String.format(Locale.ROOT, "progress: %d handshakes (%.0f/s), %d pings ok, failures %s", handshakes,
        handshakes / seconds, es.stream().mapToLong(EdgeStatus::pingsOk).sum(), EdgeFleet.failures(es)));
  }

  /** Evaluates {@code condition} at most every 250 ms (edge statuses read files). */
  private static BooleanSupplier throttled(BooleanSupplier condition) {
    long[] next = {0};
    return () -> {
      long now = System.nanoTime();
      if (now < next[0]) {
        return false;
      }
      next[0] = now + TimeUnit.MILLISECONDS.toNanos(250);
      return condition.getAsBoolean();
    };
  }

  private void stopAll() {
    if (edges != null) {
      edges.close();
    }
    if (replicas != null) {
      replicas.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private void check(String name, boolean passed, String detail) {
    checks.add(new DemoCheck(name, passed, detail));
    log((passed ? "check ok: " : "CHECK FAILED: ") + name + " (" + detail + ")");
  }

  private synchronized void log(String message) {
    out.printf(Locale.ROOT, "[%8.2fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
    out.flush();
  }
}
