package io.oneca.samples.demo;

import io.oneca.api.BootstrapResult;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.store.FileSystemStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command: several replica processes start at the same instant on one
 * embedded file store, each finds no CA, and all end up on the one CA the store holds. Prints a
 * timeline and a table, and exits 0 only if every replica uses the stored CA and exactly one
 * replica created it (none, when the directory already held a CA).
 *
 * <p>Usage: {@code java -jar samples/target/oneca-samples.jar [--replicas N] [--dir PATH]}
 */
public final class BootstrapDemo {
  private static final long START_DELAY_MILLIS = 3_000;
  private static final long RESULT_TIMEOUT_SECONDS = 60;

  private final long t0 = System.nanoTime();

  private BootstrapDemo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code --replicas N} (2 to 16, default 3), {@code --dir PATH} (default: a new temp directory)
   * @throws Exception on I/O failure
   */
  public static void main(String[] args) throws Exception {
    // The replicas log to their files; the parent's own reading of the store needs no log lines.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int replicas = 3;
    Path runDir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--replicas") && i + 1 < args.length) {
        replicas = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--dir") && i + 1 < args.length) {
        runDir = Path.of(args[++i]);
      } else {
        System.err.println("usage: oneca-samples.jar [--replicas N] [--dir PATH]");
        System.exit(2);
      }
    }
    if (replicas < 2 || replicas > 16) {
      System.err.println("--replicas must be 2 to 16");
      System.exit(2);
    }
    if (runDir == null) {
      runDir = Files.createTempDirectory("oneca-demo-");
    }
    System.exit(new BootstrapDemo().run(replicas, runDir) ? 0 : 1);
  }

  private record Report(String replica, String outcome, String fingerprint, long version, int attempts,
      double millis, String leafSerial) {}

  private boolean run(int replicas, Path runDir) throws Exception {
    Path storeDir = runDir.resolve("store");
    Path logDir = Files.createDirectories(runDir.resolve("logs"));
    DemoReplica.ensureKeyEncryptionKey(runDir);
    System.out.println();
    System.out.println("OneCA demo: " + replicas + " replica processes start at the same instant on one embedded file store");
    System.out.println("  store: " + storeDir);
    System.out.println("  logs:  " + logDir);
    System.out.println();

    boolean storeHadCa = storeHoldsCa(storeDir);
    if (storeHadCa) {
      event("the store already holds a CA: every replica should adopt it and none create one");
    }
    long startAt = System.currentTimeMillis() + START_DELAY_MILLIS;
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<Process> processes = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      ids.add("replica-" + i);
    }
    event("launching " + String.join(", ", ids) + "; all bootstrap at +" + (START_DELAY_MILLIS / 1000.0) + "s");
    try {
      for (String id : ids) {
        processes.add(launch(id, storeDir, logDir, startAt, lines));
      }
      Map<String, Report> reports = collect(replicas, lines, logDir);
      return verdict(reports, storeDir, replicas, storeHadCa ? 0 : 1);
    } finally {
      for (Process process : processes) {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  private Process launch(String id, Path storeDir, Path logDir, long startAt, BlockingQueue<String> lines)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
    String modulePath = System.getProperty("jdk.module.path");
    if (modulePath != null && DemoReplica.class.getModule().isNamed()) {
      // Launched with -p/-m: run the replicas as modules too.
      command.addAll(List.of("-p", modulePath, "-m", DemoReplica.class.getModule().getName() + "/" + DemoReplica.class.getName()));
    } else {
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), DemoReplica.class.getName()));
    }
    command.addAll(List.of(storeDir.toString(), id, Long.toString(startAt)));
    Process process = new ProcessBuilder(command)
        .redirectError(logDir.resolve(id + ".log").toFile())
        .start();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("FAILED " + id + " " + e);
      }
      lines.add("EXIT " + id);
    }, "demo-" + id);
    pump.setDaemon(true);
    pump.start();
    return process;
  }

  private Map<String, Report> collect(int replicas, BlockingQueue<String> lines, Path logDir) throws InterruptedException {
    Map<String, Report> reports = new LinkedHashMap<>();
    int exited = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RESULT_TIMEOUT_SECONDS);
    while (exited < replicas) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        event("timed out waiting for replicas; see " + logDir);
        break;
      }
      String[] f = line.split(" ");
      switch (f[0]) {
        case "READY" -> event(f[1] + " started, store opened, waiting for the start instant");
        case "RESULT" -> {
          Report r = new Report(f[1], f[2], f[3], Long.parseLong(f[4]), Integer.parseInt(f[5]),
              Long.parseLong(f[6]) / 1000.0, f[7]);
          reports.put(r.replica(), r);
          event(String.format(Locale.ROOT, "%-10s %-16s CA %s  (store version %d, %d attempt%s, %.1f ms)",
              r.replica(), r.outcome(), r.fingerprint().substring(0, 16), r.version(), r.attempts(),
              r.attempts() == 1 ? "" : "s", r.millis()));
        }
        case "EXIT" -> {
          exited++;
          if (!reports.containsKey(f[1])) {
            event(f[1] + " exited without a result; see " + logDir.resolve(f[1] + ".log"));
          }
        }
        default -> event(line);
      }
    }
    return reports;
  }

  private static boolean storeHoldsCa(Path storeDir) {
    if (!Files.isDirectory(storeDir)) {
      return false;
    }
    try (FileSystemStore store = FileSystemStore.open(storeDir)) {
      return store.get(OneCaBuilder.DEFAULT_CA_KEY).join().isPresent();
    }
  }

  private boolean verdict(Map<String, Report> reports, Path storeDir, int replicas, long expectedCreators) {
    BootstrapResult stored;
    try (FileSystemStore store = FileSystemStore.open(storeDir);
        OneCa reader = OneCa.builder().store(store).replicaId("demo-reader")
            .keyEncryptionKey(KeyEncryptionKeys.fromFile(DemoReplica.kekFile(storeDir))).build()) {
      stored = reader.start();
    }
    String storedFingerprint = stored.ca().fingerprint().sha256Hex();
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %-16s %-18s %-8s %-9s %s%n",
        "replica", "outcome", "CA fingerprint", "version", "attempts", "its serving certificate (serial)");
    for (Report r : reports.values()) {
      System.out.printf(Locale.ROOT, "%-12s %-16s %-18s %-8d %-9d %s%n", r.replica(), r.outcome(),
          r.fingerprint().substring(0, 16), r.version(), r.attempts(), r.leafSerial());
    }
    System.out.printf(Locale.ROOT, "%-12s %-16s %-18s %-8d%n", "store", "(re-read)",
        storedFingerprint.substring(0, 16), stored.ca().storeVersion());
    System.out.println();

    boolean allReported = reports.size() == replicas;
    boolean oneCa = reports.values().stream().allMatch(r -> r.fingerprint().equals(storedFingerprint));
    long creators = reports.values().stream().filter(r -> r.outcome().equals("CREATED")).count();
    if (allReported && oneCa && creators == expectedCreators) {
      System.out.println("OK: all " + replicas + " replicas use the one CA the store holds; "
          + (expectedCreators == 1 ? "exactly one created it." : "none created another."));
      System.out.println("    " + stored.ca().fingerprint());
      return true;
    }
    System.out.println("FAILED: reported " + reports.size() + " of " + replicas + ", same CA as the store: " + oneCa
        + ", creators: " + creators + " (expected " + expectedCreators + ")");
    return false;
  }

  private void event(String message) {
    System.out.printf(Locale.ROOT, "[%7.3fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
  }
}
