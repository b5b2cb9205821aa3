package io.oneca.benchmarks.zk;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** The ensemble a benchmark talks to: a given connect string, or an in-process server on a free loopback port. */
final class ZkServer implements Closeable {
  private final TestingServer embedded;
  private final String connectString;
  private final String dataDir;

  private ZkServer(TestingServer embedded, String connectString, String dataDir) {
    this.embedded = embedded;
    this.connectString = connectString;
    this.dataDir = dataDir;
  }

  /** Uses {@code connectString} if not null, else starts a ZooKeeper server in this process (data deleted on close). */
  static ZkServer start(String connectString) throws Exception {
    if (connectString != null) {
      return new ZkServer(null, connectString, null);
    }
    File dataDir = Files.createTempDirectory("oneca-zk-bench-").toFile();
    InstanceSpec spec = new InstanceSpec(dataDir, InstanceSpec.getRandomPort(), InstanceSpec.getRandomPort(),
        InstanceSpec.getRandomPort(), true, 1, 500, 0,
        Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
    TestingServer server = new TestingServer(spec, true);
    return new ZkServer(server, server.getConnectString(), dataDir.getPath());
  }

  String connectString() {
    return connectString;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
      // ZooKeeper's embedded server writes its configuration to a temp file it never deletes.
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp, "zookeeper.configuration*.properties")) {
        for (Path file : files) {
          if (Files.readString(file).contains(dataDir)) {
            Files.deleteIfExists(file);
          }
        }
      }
    }
  }
}
