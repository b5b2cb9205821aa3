package io.oneca.samples.cloudcore.soak;

import io.oneca.testkit.etcd.EtcdCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** The real store a soak run starts for its replicas, and restarts as one of its faults. */
interface SoakStore extends AutoCloseable {
  /** Returns the store URI the replicas and the operator open. */
  String uri();

  /** Stops the store server and starts it again with the same data and port. */
  void restart() throws Exception;

  @Override
  void close();

  /**
   * Starts a store.
   *
   * @param kind which one
   * @param dataDir where ZooKeeper keeps its data (etcd uses its own temporary directory)
   * @return the running store
   * @throws Exception if it cannot start
   */
  static SoakStore start(SoakOptions.StoreKind kind, Path dataDir) throws Exception {
    return kind == SoakOptions.StoreKind.ETCD ? new Etcd() : new Zk(dataDir);
  }

  /** One etcd member from pki-testkit's {@link EtcdCluster}. */
  final class Etcd implements SoakStore {
    private final EtcdCluster cluster = EtcdCluster.start(1);

    @Override
    public String uri() {
      return "etcd://" + cluster.clientEndpoints().get(0).replace("http://", "") + "/cloudcore-soak";
    }

    @Override
    public void restart() {
      cluster.member(0).restart();
      cluster.member(0).awaitHealthy(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
      cluster.close();
    }
  }

  /** Curator's in-process ZooKeeper server on a free loopback port. */
  final class Zk implements SoakStore {
    private final TestingServer server;
    private final Path dir;

    Zk(Path dataDir) throws Exception {
      dir = Files.createDirectories(dataDir).toAbsolutePath();
      InstanceSpec spec = new InstanceSpec(dir.toFile(), InstanceSpec.getRandomPort(), InstanceSpec.getRandomPort(),
          InstanceSpec.getRandomPort(), false, 1, 2_000, 0,
          Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
      server = new TestingServer(spec, true);
    }

    @Override
    public String uri() {
      // An in-process test server on loopback: no credentials, explicitly opted in to the open ACL.
      return "zk://" + server.getConnectString() + "/cloudcore-soak?allowOpenAcl=true";
    }

    @Override
    public void restart() throws Exception {
      server.restart();
    }

    @Override
    public void close() {
      try {
        server.close();
        // ZooKeeper's embedded server writes its configuration to a temporary file it never deletes.
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp, "zookeeper.configuration*.properties")) {
          for (Path file : files) {
            if (Files.readString(file).contains(dir.toString())) {
              Files.deleteIfExists(file);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
