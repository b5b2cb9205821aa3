package io.oneca.samples.cloudcore.demo;

import io.oneca.samples.cloudcore.CloudCoreMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One replica started as a separate JVM by the demo, the soak driver or a test: the same class
 * path, the {@code replica} command, stdout read line by line into a shared queue, stderr to a log
 * file (appended to, so that a replica restarted under the same id keeps one log). It remembers
 * every CA record version the replica reported, in order, so that callers can check that it never
 * went backwards.
 */
public final class ReplicaProcess implements AutoCloseable {
  private final String id;
  private final Process process;
  private volatile int publicPort;
  private volatile int hubPort;
  private volatile String outcome = "";
  private volatile String caFingerprint = "";
  private volatile long caVersion;
  private volatile String servingSerial = "";
  private volatile String servingIssuer = "";
  private final List<Long> caVersions = new java.util.concurrent.CopyOnWriteArrayList<>();

  private ReplicaProcess(String id, Process process) {
    this.id = id;
    this.process = process;
  }

  /**
   * Starts a replica process.
   *
   * @param id the replica's id (names its log file)
   * @param replicaArgs the {@code replica} command's options
   * @param logDir where its stderr goes ({@code id.log}, appended)
   * @param lines receives every line it prints on stdout, then {@code EXIT id}
   * @return the process
   * @throws IOException if it cannot be started
   */
  public static ReplicaProcess launch(String id, List<String> replicaArgs, Path logDir, BlockingQueue<String> lines)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp", System.getProperty("java.class.path"), CloudCoreMain.class.getName(), "replica"));
    command.addAll(replicaArgs);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve(id + ".log").toFile()))
        .start();
    ReplicaProcess replica = new ReplicaProcess(id, process);
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          replica.observe(line);
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("FAILED " + id + " " + e);
      }
      lines.add("EXIT " + id);
    }, "demo-" + id);
    pump.setDaemon(true);
    pump.start();
    return replica;
  }

  private void observe(String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "STARTED" -> {
        outcome = f[2];
        caFingerprint = f[3];
        caVersion = Long.parseLong(f[4]);
        publicPort = Integer.parseInt(f[5]);
        hubPort = Integer.parseInt(f[6]);
        caVersions.add(caVersion);
      }
      case "CA" -> {
        caFingerprint = f[2];
        caVersion = Long.parseLong(f[3]);
        caVersions.add(caVersion);
      }
      case "SERVING" -> {
        servingSerial = f[2];
        servingIssuer = f[3];
      }
      default -> {
        // other lines are only shown
      }
    }
  }

  /** Returns the replica's id. */
  public String id() {
    return id;
  }

  /** Returns whether the replica reported STARTED (its listeners are up). */
  public boolean started() {
    return hubPort > 0;
  }

  /** Returns the public (join) listener's address, once started. */
  public InetSocketAddress publicAddress() {
    return new InetSocketAddress("127.0.0.1", publicPort);
  }

  /** Returns the mTLS hub listener's address, once started. */
  public InetSocketAddress hubAddress() {
    return new InetSocketAddress("127.0.0.1", hubPort);
  }

  /** Returns the bootstrap outcome it reported (CREATED, ADOPTED_EXISTING, ...), or empty. */
  public String outcome() {
    return outcome;
  }

  /** Returns the SHA-256 fingerprint of the CA it last reported adopting, or empty. */
  public String caFingerprint() {
    return caFingerprint;
  }

  /** Returns the store version of the CA record it last reported. */
  public long caVersion() {
    return caVersion;
  }

  /** Returns the serial (hex) of the serving certificate it last reported, or empty. */
  public String servingSerial() {
    return servingSerial;
  }

  /** Returns the fingerprint of the CA that signed its last reported serving certificate, or empty. */
  public String servingIssuer() {
    return servingIssuer;
  }

  /** Returns whether the process is still running. */
  public boolean alive() {
    return process.isAlive();
  }

  /** Returns every CA record version the replica reported (STARTED, then each CA line), in order. */
  public List<Long> caVersions() {
    return List.copyOf(caVersions);
  }

  /** Returns the process id. */
  public long pid() {
    return process.pid();
  }

  /**
   * Kills the replica at once (SIGKILL: no shutdown hook, no clean close of anything) and waits
   * for it to be gone, at most 10 seconds.
   *
   * @return whether it is gone
   * @throws InterruptedException if interrupted
   */
  public boolean kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Ends the replica: closes its stdin (it shuts down cleanly), then terminates, then kills, each bounded. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
