package io.oneca.samples.cloudcore.demo;

import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeSettings;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.FailureKind;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
import io.oneca.samples.cloudcore.join.JoinTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The README's first command, the KubeEdge CloudCore incident done right: replica processes start
 * at the same instant on one store and agree on one CA; edge nodes join through different replicas
 * with HMAC tokens and keep hub streams and mTLS traffic going; an operator forces a CA rotation;
 * every replica and edge ends on the new CA without a dropped stream or a single certificate or
 * trust failure. Prints a timeline and a final table; {@link #run} reports every check.
 */
public final class CloudCoreDemo {
  private static final Duration START_DELAY = Duration.ofMillis(2_500);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

  private final DemoOptions options;
  private final PrintStream out;
  private final long t0 = System.nanoTime();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<ReplicaProcess> replicas = new ArrayList<>();
  private final List<EdgeNode> edges = new ArrayList<>();
  private final List<DemoCheck> checks = new ArrayList<>();
  private final Map<String, EdgeStatus> shown = new HashMap<>();

  private CloudCoreDemo(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo.
   *
   * @param options what to run
   * @param out where the timeline and table go
   * @return every check, in order; the demo succeeded if all passed
   * @throws IOException if the run directory cannot be prepared
   * @throws InterruptedException if interrupted
   */
  public static List<DemoCheck> run(DemoOptions options, PrintStream out) throws IOException, InterruptedException {
    CloudCoreDemo demo = new CloudCoreDemo(options, out);
    try {
      demo.runSteps();
    } finally {
      demo.stopAll();
    }
    demo.printChecks();
    return List.copyOf(demo.checks);
  }

  private void runSteps() throws IOException, InterruptedException {
    Path runDir = Files.createDirectories(options.runDir());
    Path logDir = Files.createDirectories(runDir.resolve("logs"));
    Path kekFile = secretFile(runDir.resolve("kek.bin"), false);
    Path tokenKeyFile = runDir.resolve("token.key");
    if (!Files.exists(tokenKeyFile)) {
      JoinTokens.generateKeyFile(tokenKeyFile);
    }
    String storeUri = options.storeUri().orElse(runDir.resolve("store").toAbsolutePath().toUri().toString());
    out.printf("%nOneCA CloudCore demo: %d replica processes start at the same instant, %d edge nodes join,%n"
        + "the CA is rotated, and every edge must stay connected and end on the new CA.%n", options.replicas(), options.edges());
    out.println("  store: " + storeUri);
    out.println("  logs:  " + logDir);
    out.println();

    // 1. Replicas, all bootstrapping at the same instant.
    Instant startAt = Instant.now().plus(START_DELAY);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < options.replicas(); i++) {
      names.add("replica-" + i);
    }
    event("launching " + String.join(", ", names) + "; all bootstrap at +" + START_DELAY.toMillis() / 1000.0 + "s");
    for (String name : names) {
      replicas.add(ReplicaProcess.launch(name, List.of("--id", name, "--store", storeUri,
          "--kek-file", kekFile.toString(), "--token-key-file", tokenKeyFile.toString(),
          "--start-at", Long.toString(startAt.toEpochMilli())), logDir, lines));
    }
    boolean started = pump(STEP_TIMEOUT.plus(START_DELAY), () -> replicas.stream().allMatch(ReplicaProcess::started));
    String ca = replicas.get(0).caFingerprint();
    long creators = replicas.stream().filter(r -> r.outcome().equals("CREATED")).count();
    check("every replica started", started, replicas.stream().filter(ReplicaProcess::started).count() + " of " + replicas.size());
    check("one CA on every replica, created by at most one",
        started && replicas.stream().allMatch(r -> r.caFingerprint().equals(ca)) && creators <= 1,
        creators + " created it, CA " + shortFp(ca));
    if (!started) {
      return;
    }

    // 2. Edges join through different replicas with tokens bound to their names.
    JoinTokens tokens = JoinTokens.fromKeyFile(tokenKeyFile);
    List<ReplicaEndpoint> endpoints = replicas.stream()
        .map(r -> new ReplicaEndpoint(r.id(), r.publicAddress(), r.hubAddress())).toList();
    event("minted " + options.edges() + " join tokens (HMAC, bound to the node name, valid 10 min); CA pin " + shortFp(ca));
    ExecutorService starter = Executors.newFixedThreadPool(Math.min(8, options.edges()));
    try {
      List<Future<EdgeNode>> starting = new ArrayList<>();
      for (int i = 0; i < options.edges(); i++) {
        String node = "edge-" + (i + 1);
        EdgeSettings settings = EdgeSettings.builder(node, runDir.resolve("edges").resolve(node), endpoints)
            .token(tokens.mint(node, Duration.ofMinutes(10), Instant.now()), Set.of(ca))
            .joinVia(i % endpoints.size())
            .streamVia((i + 1) % endpoints.size())
            .pingInterval(Duration.ofMillis(200))
            .build();
        starting.add(starter.submit(() -> EdgeNode.start(settings)));
      }
      for (Future<EdgeNode> f : starting) {
        try {
          edges.add(f.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          event("an edge failed to start: " + e.getCause());
        }
      }
    } finally {
      starter.shutdownNow();
    }
    boolean connected = pump(STEP_TIMEOUT, () -> edges.size() == options.edges()
        && edges.stream().map(EdgeNode::status).allMatch(s -> s.streamReplica().isPresent() && s.pingsOk() > 0));
    check("every edge joined and keeps a hub stream", connected, edges.size() + " of " + options.edges() + " joined");
    if (!connected) {
      return;
    }

    // 3. The operator forces a CA rotation through the store.
    event("operator: forcing a CA rotation (the old CA stays trusted; successors are cross-signed)");
    long rotatedAt = System.nanoTime();
    TransitionResult rotation;
    String newCa;
    try (VersionedStore store = Stores.open(storeUri);
        OneCa operator = OneCa.builder().store(store).replicaId("operator")
            .keyEncryptionKey(KeyEncryptionKeys.fromFile(kekFile))
            .rotation(RotationPolicy.builder().crossSign(true).automatic(false).build())
            .build()) {
      operator.start();
      rotation = operator.rotation().force(false).get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      newCa = operator.reload().get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).fingerprint().sha256Hex();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      check("the rotation was applied", false, e.toString());
      return;
    }
    event("rotation " + rotation.outcome() + ": CA " + shortFp(ca) + " -> " + shortFp(newCa));
    check("the rotation was applied", rotation.outcome() == TransitionResult.Outcome.APPLIED && !newCa.equals(ca),
        rotation.outcome() + ", new CA " + shortFp(newCa));
    boolean converged = pump(STEP_TIMEOUT, () -> replicas.stream().allMatch(r -> r.caFingerprint().equals(newCa)
        && r.servingIssuer().equals(newCa))
        && edges.stream().map(EdgeNode::status).allMatch(s -> s.issuerFingerprint().equals(newCa)));
    event(String.format(Locale.ROOT, "%s %.0f ms after the rotation", converged
        ? "every replica and edge is on the new CA" : "NOT converged", (System.nanoTime() - rotatedAt) / 1e6));
    long pingsBefore = totalPings();
    pump(options.trafficAfterRotation(), () -> false);
    event("traffic after convergence: " + (totalPings() - pingsBefore) + " more mTLS pings");

    // 4. Verdict.
    printTable(newCa);
    check("every replica serves the new CA", replicas.stream().allMatch(r -> r.caFingerprint().equals(newCa)
        && r.servingIssuer().equals(newCa)), replicas.size() + " replicas");
    check("every edge holds a certificate of the new CA",
        edges.stream().map(EdgeNode::status).allMatch(s -> s.issuerFingerprint().equals(newCa)), edges.size() + " edges");
    long trustFailures = edges.stream().mapToLong(e -> e.status().failures(FailureKind.CERTIFICATE_OR_TRUST)).sum();
    check("no certificate or trust failure on any edge", trustFailures == 0 && totalPings() > 0,
        trustFailures + " failures in " + totalPings() + " mTLS pings");
    check("every edge kept its first hub stream (no reconnect)", edges.stream().map(EdgeNode::status)
        .allMatch(s -> s.streamConnects() == 1 && s.streamReplica().isPresent()),
        edges.stream().mapToLong(e -> e.status().streamConnects()).sum() + " stream connects for " + edges.size() + " edges");
  }

  private long totalPings() {
    return edges.stream().mapToLong(e -> e.status().pingsOk()).sum();
  }

  /** Shows replica lines and edge changes until {@code done} holds or the timeout passes. */
  private boolean pump(Duration timeout, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      showEdgeChanges();
      if (done.getAsBoolean()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
      for (; line != null; line = lines.poll()) {
        showReplicaLine(line);
      }
    }
  }

  private void showReplicaLine(String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "READY" -> event(f[1] + ": JVM up, store opened, waiting for the start instant");
      case "STARTED" -> event(String.format(Locale.ROOT, "%s: %-15s CA %s (store version %s), join :%s, hub :%s",
          f[1], f[2], shortFp(f[3]), f[4], f[5], f[6]));
      case "CA" -> event(f[1] + ": adopted CA " + shortFp(f[2]) + " (store version " + f[3] + ")");
      case "SERVING" -> event(f[1] + ": serving certificate " + shortSerial(f[2]) + " from CA " + shortFp(f[3]));
      case "EXIT" -> event(f[1] + ": exited");
      default -> event(line);
    }
  }

  private void showEdgeChanges() {
    for (EdgeNode edge : edges) {
      EdgeStatus now = edge.status();
      EdgeStatus before = shown.put(now.node(), now);
      if (before == null) {
        event(now.node() + ": joined through " + now.joinedVia().orElse("?") + ", certificate " + shortSerial(now.serial())
            + " from CA " + shortFp(now.issuerFingerprint()));
        continue;
      }
      if (!before.streamReplica().equals(now.streamReplica())) {
        event(now.node() + ": hub stream " + now.streamReplica().map(r -> "open at " + r).orElse("lost, reconnecting"));
      }
      if (now.bundleVersion() != before.bundleVersion() && before.bundleVersion() > 0) {
        event(now.node() + ": new trust bundle (store version " + now.bundleVersion() + ", active CA "
            + shortFp(now.activeCa()) + ")");
      }
      if (!now.serial().equals(before.serial())) {
        event(now.node() + ": renewed through the hub, certificate " + shortSerial(now.serial()) + " from CA "
            + shortFp(now.issuerFingerprint()));
      }
      long newTrust = now.failures(FailureKind.CERTIFICATE_OR_TRUST) - before.failures(FailureKind.CERTIFICATE_OR_TRUST);
      if (newTrust > 0) {
        event(now.node() + ": " + newTrust + " CERTIFICATE/TRUST FAILURE(S): " + now.lastFailure().orElse(""));
      }
    }
  }

  private void printTable(String newCa) {
    out.println();
    out.printf(Locale.ROOT, "%-10s %-18s %-8s %-34s%n", "replica", "CA fingerprint", "version", "serving certificate serial");
    for (ReplicaProcess r : replicas) {
      out.printf(Locale.ROOT, "%-10s %-18s %-8d %-34s%n", r.id(), shortFp(r.caFingerprint()), r.caVersion(), r.servingSerial());
    }
    out.println();
    out.printf(Locale.ROOT, "%-8s %-10s %-10s %-34s %-18s %-21s %7s %6s %7s%n", "edge", "joined", "stream",
        "serial", "issuer", "expires", "renewed", "pings", "trust!");
    for (EdgeNode edge : edges) {
      EdgeStatus s = edge.status();
      out.printf(Locale.ROOT, "%-8s %-10s %-10s %-34s %-18s %-21s %7d %6d %7d%n", s.node(), s.joinedVia().orElse("-"),
          s.streamReplica().orElse("(none)"), s.serial(), shortFp(s.issuerFingerprint())
              + (s.issuerFingerprint().equals(newCa) ? "" : "*"),
          s.notAfter().toString().substring(0, 19) + "Z", s.renewals(), s.pingsOk(), s.failures(FailureKind.CERTIFICATE_OR_TRUST));
    }
    out.println();
  }

  private void printChecks() {
    boolean all = !checks.isEmpty() && checks.stream().allMatch(DemoCheck::passed);
    for (DemoCheck c : checks) {
      out.printf(Locale.ROOT, "  %s %-52s %s%n", c.passed() ? "ok  " : "FAIL", c.name(), c.detail());
    }
    out.println();
    out.println(all ? "OK: every check held." : "FAILED: see the checks above and the logs.");
  }

  private void stopAll() {
    edges.forEach(EdgeNode::close);
    replicas.forEach(ReplicaProcess::close);
  }

  private void check(String name, boolean passed, String detail) {
    checks.add(new DemoCheck(name, passed, detail));
  }

  private void event(String message) {
    out.printf(Locale.ROOT, "[%6.2fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
  }

  private static String shortFp(String fingerprint) {
    return fingerprint == null || fingerprint.length() < 16 ? String.valueOf(fingerprint) : fingerprint.substring(0, 16);
  }

  private static String shortSerial(String serial) {
    return serial.length() <= 12 ? serial : serial.substring(0, 12) + "..";
  }

  /**
   * Creates a file of 32 random bytes, readable only by the owner, unless it exists.
   *
   * @param file the file
   * @param base64 whether to write the bytes base64-encoded
   * @return {@code file}
   * @throws IOException if it cannot be written
   */
  public static Path secretFile(Path file, boolean base64) throws IOException {
    if (Files.exists(file)) {
      return file;
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, base64 ? java.util.Base64.getEncoder().encode(key) : key);
    java.util.Arrays.fill(key, (byte) 0);
    return file;
  }
}
