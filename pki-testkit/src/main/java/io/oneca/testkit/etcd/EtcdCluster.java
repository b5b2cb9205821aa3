package io.oneca.testkit.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Real etcd processes (Debian's {@code etcd} binary) on free 127.0.0.1 ports with a temporary data
 * directory: one node or a cluster of several members. For tests and benchmarks; JDK only, so that
 * it works without any etcd client library. {@link #close()} stops every member (SIGTERM, then
 * SIGKILL after a bound) and deletes the directory with data and logs.
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.start(1)) {
 *   List<String> endpoints = etcd.clientEndpoints();
 * }
 * }</pre>
 *
 * <p>JUnit 5 tests use {@link EtcdClusterExtension}, which wraps this class.
 */
public final class EtcdCluster implements AutoCloseable {
  /** What to tell a user whose machine has no etcd. */
  static final String NOT_FOUND =
      "etcd not found: install it with `apt-get install -y etcd-server etcd-client` (scripts/test does this)";
  private static final Duration START_BOUND = Duration.ofSeconds(60);

  private final Path directory;
  private final List<EtcdMember> members;
  private final Thread shutdownHook;

  private EtcdCluster(Path directory, List<EtcdMember> members) {
    this.directory = directory;
    this.members = List.copyOf(members);
    this.shutdownHook = new Thread(this::stopAll, "etcd-cluster-shutdown");
  }

  /**
   * Starts {@code size} members and waits until all are healthy (at most 60 seconds).
   *
   * @param size 1 for a single node, 3 for a cluster that survives the loss of one member
   * @return the running cluster
   * @throws IllegalStateException if etcd is not installed (saying how to install it) or does not
   *     become healthy (with the tail of its log)
   */
  public static EtcdCluster start(int size) {
    return start(size, List.of(), false);
  }

  /**
   * Starts one member that serves clients both in plain text ({@link EtcdMember#clientEndpoint()},
   * used for health checks) and over TLS with client certificates required
   * ({@link EtcdMember#tlsClientEndpoint()}).
   *
   * @param caFile PEM CA that signed the server and the client certificates
   * @param certFile PEM server certificate chain, valid for IP 127.0.0.1
   * @param keyFile PEM PKCS#8 server key
   * @return the running node
   */
  public static EtcdCluster startWithTls(Path caFile, Path certFile, Path keyFile) {
    return start(1, List.of("--cert-file=" + certFile, "--key-file=" + keyFile,
        "--trusted-ca-file=" + caFile, "--client-cert-auth"), true);
  }

  private static EtcdCluster start(int size, List<String> extraArgs, boolean tls) {
    if (size < 1 || size > 7) {
      throw new IllegalArgumentException("size must be 1 to 7, was " + size);
    }
    Path binary = findBinary().orElseThrow(() -> new IllegalStateException(NOT_FOUND));
    Path directory;
    try {
      directory = Files.createTempDirectory("oneca-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] ports = freePorts(3 * size);
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      peers.add("m" + i + "=http://127.0.0.1:" + ports[2 * i + 1]);
    }
    List<String> clusterArgs = new ArrayList<>(List.of(
        "--initial-cluster=" + String.join(",", peers),
        "--initial-cluster-state=new",
        "--initial-cluster-token=oneca-" + Long.toHexString(ThreadLocalRandom.current().nextLong()),
        "--log-level=warn",
        "--logger=zap"));
    clusterArgs.addAll(extraArgs);
    List<EtcdMember> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(new EtcdMember("m" + i, ports[2 * i], tls ? ports[2 * size + i] : 0, ports[2 * i + 1],
          directory.resolve("m" + i + ".etcd"), directory.resolve("m" + i + ".log"), clusterArgs, binary));
    }
    EtcdCluster cluster = new EtcdCluster(directory, members);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      members.forEach(EtcdMember::start);
      for (EtcdMember member : members) {
        member.awaitHealthy(START_BOUND);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Returns where etcd is installed: on the PATH or at {@code /usr/bin/etcd}. */
  static Optional<Path> findBinary() {
    String path = System.getenv("PATH");
    List<Path> candidates = new ArrayList<>();
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "etcd"));
        }
      }
    }
    candidates.add(Path.of("/usr/bin/etcd"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** Returns the members, in the order of {@link #clientEndpoints()}. */
  public List<EtcdMember> members() {
    return members;
  }

  /** Returns one member. */
  public EtcdMember member(int index) {
    return members.get(index);
  }

  /** Returns every member's TLS client endpoint (see {@link #startWithTls}). */
  public List<String> tlsClientEndpoints() {
    return members.stream().map(EtcdMember::tlsClientEndpoint).toList();
  }

  /** Returns every member's client endpoint, {@code http://127.0.0.1:<port>}. */
  public List<String> clientEndpoints() {
    return members.stream().map(EtcdMember::clientEndpoint).toList();
  }

  /**
   * Waits for a member that says it is the Raft leader.
   *
   * @param bound how long to wait at most
   * @return the leader
   * @throws IllegalStateException if none is found in time
   */
  public EtcdMember awaitLeader(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      for (EtcdMember member : members) {
        if (member.isLeader()) {
          return member;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("no etcd leader within " + bound + logTails());
  }

  /** Returns the tails of every member's log, for failure messages. */
  public String logTails() {
    StringBuilder tails = new StringBuilder();
    members.forEach(m -> tails.append(m.logTail()));
    return tails.toString();
  }

  /** Stops every member and deletes the data and logs. Idempotent. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run.
    }
    deleteRecursively(directory);
  }

  private void stopAll() {
    members.forEach(EtcdMember::stop);
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
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  private static int[] freePorts(int count) {
    Set<Integer> ports = new HashSet<>();
    List<ServerSocket> open = new ArrayList<>();
    try {
      while (ports.size() < count) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(socket);
        ports.add(socket.getLocalPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : open) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a probe socket cannot matter.
        }
      }
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }
}
