package io.oneca.testkit.etcd;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One etcd process of an {@link EtcdCluster}: its ports, data directory and log, and the faults a
 * test may inject (stop, SIGKILL, restart with the same data).
 */
public final class EtcdMember {
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"?(\\d+)");
  private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"?(\\d+)");

  private final String name;
  private final int clientPort;
  private final int tlsClientPort;
  private final int peerPort;
  private final Path dataDir;
  private final Path logFile;
  private final List<String> clusterArgs;
  private final Path binary;
  private Process process;

  EtcdMember(String name, int clientPort, int tlsClientPort, int peerPort, Path dataDir, Path logFile,
      List<String> clusterArgs, Path binary) {
    this.name = name;
    this.clientPort = clientPort;
    this.tlsClientPort = tlsClientPort;
    this.peerPort = peerPort;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.clusterArgs = List.copyOf(clusterArgs);
    this.binary = binary;
  }

  /** Returns the member's name, for example {@code m0}. */
  public String name() {
    return name;
  }

  /** Returns the client endpoint, {@code http://127.0.0.1:<port>}. */
  public String clientEndpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  /**
   * Returns the TLS client endpoint, {@code https://127.0.0.1:<port>}, of a member started by
   * {@link EtcdCluster#startWithTls}.
   *
   * @throws IllegalStateException if the member has no TLS listener
   */
  public String tlsClientEndpoint() {
    if (tlsClientPort == 0) {
      throw new IllegalStateException("etcd member " + name + " was started without TLS");
    }
    return "https://127.0.0.1:" + tlsClientPort;
  }

  private String clientUrls() {
    return tlsClientPort == 0 ? clientEndpoint() : clientEndpoint() + "," + tlsClientEndpoint();
  }

  /** Returns the peer URL, {@code http://127.0.0.1:<port>}. */
  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** Returns whether the process is running. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Returns the process id, or -1 when not running. */
  public synchronized long pid() {
    return isRunning() ? process.pid() : -1;
  }

  /**
   * Starts the process (again, with the same data directory after a stop or kill). Does not wait
   * for health; see {@link #awaitHealthy(Duration)}.
   */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--name=" + name);
    command.add("--data-dir=" + dataDir);
    command.add("--listen-client-urls=" + clientUrls());
    command.add("--advertise-client-urls=" + clientUrls());
    command.add("--listen-peer-urls=" + peerUrl());
    command.add("--initial-advertise-peer-urls=" + peerUrl());
    command.addAll(clusterArgs);
    try {
      Files.createDirectories(dataDir);
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start etcd member " + name + ": " + e.getMessage() + logTail(), e);
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL if it has not exited within 5 seconds (a member that
   * lost quorum may ignore SIGTERM). Returns when the process has exited.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Kills the process with SIGKILL and waits until it has exited: a crash, not a shutdown. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops the process (as {@link #stop()}) and starts it again with the same data. */
  public void restart() {
    stop();
    start();
  }

  /**
   * Waits until the member answers {@code /health} with {@code true}.
   *
   * @param bound how long to wait at most
   * @throws IllegalStateException with the tail of the member's log if it does not become healthy
   */
  public void awaitHealthy(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!isRunning()) {
        throw new IllegalStateException("etcd member " + name + " exited while starting" + logTail());
      }
      try {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create(clientEndpoint() + "/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd member " + name, e);
      }
      pause();
    }
    throw new IllegalStateException("etcd member " + name + " not healthy within " + bound + " (last: " + last + ")" + logTail());
  }

  /**
   * Asks this member whether it is the Raft leader, through etcd's HTTP gateway
   * ({@code /v3/maintenance/status}).
   *
   * @return whether it is the leader; false if it does not answer
   */
  public boolean isLeader() {
    if (!isRunning()) {
      return false;
    }
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(clientEndpoint() + "/v3/maintenance/status"))
              .timeout(Duration.ofSeconds(2))
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher member = MEMBER_ID.matcher(response.body());
      Matcher leader = LEADER.matcher(response.body());
      return response.statusCode() == 200 && member.find() && leader.find()
          && Objects.equals(member.group(1), leader.group(1));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Returns the last lines of this member's log, prefixed for appending to a message. */
  public String logTail() {
    try {
      if (!Files.exists(logFile)) {
        return "";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return "\n--- last lines of " + logFile + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "\n(could not read " + logFile + ": " + e + ")";
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "EtcdMember[" + name + ", " + clientEndpoint() + "]";
  }
}
