package io.oneca.backend.zk;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * Real ZooKeeper servers for tests, in process: Curator's {@link TestingServer} and
 * {@link TestingCluster} on free loopback ports, with data in temp directories deleted on close.
 */
final class ZkServers {
  private static final String LOOPBACK = "127.0.0.1";
  private static final int TICK_MILLIS = 500;

  private static final List<String> DATA_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

  static {
    // ZooKeeper's embedded server writes its configuration to a temp file it never deletes.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteConfigFiles(DATA_DIRS), "zk-test-cleanup"));
  }

  private ZkServers() {}

  /** Deletes the temp configuration files that name one of the given data directories. */
  static void deleteConfigFiles(List<String> dataDirs) {
    java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    try (java.nio.file.DirectoryStream<java.nio.file.Path> files =
        Files.newDirectoryStream(tmp, "zookeeper.configuration*.properties")) {
      for (java.nio.file.Path file : files) {
        String content = Files.readString(file);
        if (dataDirs.stream().anyMatch(content::contains)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Best effort at JVM exit.
    }
  }

  static TestingServer standalone() throws Exception {
    return new TestingServer(spec(1), true);
  }

  static TestingCluster cluster(int size) throws Exception {
    List<InstanceSpec> specs = new ArrayList<>();
    for (int id = 1; id <= size; id++) {
      specs.add(spec(id));
    }
    TestingCluster cluster = new TestingCluster(specs);
    cluster.start();
    return cluster;
  }

  private static InstanceSpec spec(int serverId) throws IOException {
    File dataDir = Files.createTempDirectory("oneca-zk-test-").toFile();
    DATA_DIRS.add(dataDir.getPath());
    return new InstanceSpec(dataDir, InstanceSpec.getRandomPort(), InstanceSpec.getRandomPort(),
        InstanceSpec.getRandomPort(), true, serverId, TICK_MILLIS, 0,
        Map.of("clientPortAddress", LOOPBACK, "admin.enableServer", "false"), LOOPBACK);
  }
}
