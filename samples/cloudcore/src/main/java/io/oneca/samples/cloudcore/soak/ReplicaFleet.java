package io.oneca.samples.cloudcore.soak;

import io.oneca.samples.cloudcore.demo.ReplicaProcess;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The soak's replica processes: started at the same instant, each restarted under the same id and
 * on the same ports (so that edges find it again without a new address list). Reads every line the
 * replicas print and checks, per replica id and across its restarts, that the CA record version it
 * reports never goes backwards.
 */
final class ReplicaFleet implements AutoCloseable {
  private final List<String> baseArgs;
  private final Path logDir;
  private final Consumer<String> log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<ReplicaProcess> current = new ArrayList<>();
  private final Map<String, Long> lastVersion = new HashMap<>();
  private final List<String> regressions = new ArrayList<>();
  private long versionLines;
  private long servingChanges;

  ReplicaFleet(List<String> baseArgs, Path logDir, Consumer<String> log) {
    this.baseArgs = List.copyOf(baseArgs);
    this.logDir = logDir;
    this.log = log;
  }

  /** Starts {@code count} replicas that bootstrap at the same instant; waits until all report STARTED. */
  boolean startAll(int count, Duration bound) throws IOException, InterruptedException {
    String startAt = Long.toString(Instant.now().plusMillis(2_000).toEpochMilli());
    for (int i = 0; i < count; i++) {
      String id = "replica-" + i;
      current.add(launch(id, List.of("--start-at", startAt)));
    }
    return pump(bound, () -> current.stream().allMatch(ReplicaProcess::started));
  }

  private ReplicaProcess launch(String id, List<String> extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--id", id));
    args.addAll(baseArgs);
    args.addAll(extra);
    return ReplicaProcess.launch(id, args, logDir, lines);
  }

  List<ReplicaProcess> replicas() {
    return List.copyOf(current);
  }

  List<ReplicaEndpoint> endpoints() {
    return current.stream().map(r -> new ReplicaEndpoint(r.id(), r.publicAddress(), r.hubAddress())).toList();
  }

  /**
   * Stops replica {@code index} (SIGKILL if {@code kill}, else a clean shutdown), then starts it
   * again under the same id on the same ports and waits until it reports STARTED.
   *
   * @return whether it started again within {@code bound}
   */
  boolean restart(int index, boolean kill, Duration pause, Duration bound) throws IOException, InterruptedException {
    ReplicaProcess old = current.get(index);
    if (kill) {
      boolean gone = old.kill();
      log.accept(old.id() + ": SIGKILL (pid " + old.pid() + ")" + (gone ? "" : ", NOT gone after 10 s"));
    } else {
      old.close();
      log.accept(old.id() + ": stopped cleanly");
    }
    pump(pause, () -> false);
    ReplicaProcess fresh = launch(old.id(), List.of("--join-port", Integer.toString(old.publicAddress().getPort()),
        "--hub-port", Integer.toString(old.hubAddress().getPort())));
    current.set(index, fresh);
    return pump(bound, fresh::started);
  }

  /** Reads replica lines until {@code done} holds or {@code bound} passes; returns whether it held. */
  boolean pump(Duration bound, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      drain();
      if (done.getAsBoolean()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
      if (line != null) {
        observe(line);
      }
    }
  }

  private void drain() {
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      observe(line);
    }
  }

  /** Handles one replica line (package-private for tests). */
  void observe(String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "STARTED" -> {
        log.accept(f[1] + ": started (" + f[2] + "), CA " + shortFp(f[3]) + " version " + f[4] + ", join :" + f[5]
            + ", hub :" + f[6]);
        version(f[1], Long.parseLong(f[4]), line);
      }
      case "CA" -> {
        log.accept(f[1] + ": adopted CA " + shortFp(f[2]) + " version " + f[3]);
        version(f[1], Long.parseLong(f[3]), line);
      }
      case "SERVING" -> {
        servingChanges++;
        log.accept(f[1] + ": serving certificate " + f[2] + " from CA " + shortFp(f[3]));
      }
      case "READY" -> {
        // the JVM is up; STARTED follows
      }
      default -> log.accept(line);
    }
  }

  private void version(String id, long version, String line) {
    versionLines++;
    Long last = lastVersion.get(id);
    if (last != null && version < last) {
      regressions.add(id + " went from version " + last + " back to " + version + " (" + line + ")");
      log.accept("VERSION WENT BACKWARDS: " + regressions.get(regressions.size() - 1));
    }
    lastVersion.put(id, last == null ? version : Math.max(last, version));
  }

  List<String> regressions() {
    return List.copyOf(regressions);
  }

  long versionLines() {
    return versionLines;
  }

  long servingChanges() {
    return servingChanges;
  }

  static String shortFp(String fingerprint) {
    return fingerprint == null || fingerprint.length() < 16 ? String.valueOf(fingerprint) : fingerprint.substring(0, 16);
  }

  @Override
  public void close() {
    current.forEach(ReplicaProcess::close);
  }
}
