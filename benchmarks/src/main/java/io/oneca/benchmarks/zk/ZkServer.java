package io.oneca.benchmarks.zk;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** The ensemble a benchmark talks to: a given connect string, or an in-process server on a free loopback port. */
final class ZkServer implements Closeable {
  private final TestingServer embedded;
  private final String connectString;

  private ZkServer(TestingServer embedded, String connectString) {
    this.embedded = embedded;
    this.connectString = connectString;
  }

  /** Uses {@code connectString} if not null, else starts a ZooKeeper server in this process (data deleted on close). */
  static ZkServer start(String connectString) throws Exception {
    if (connectString != null) {
      return new ZkServer(null, connectString);
    }
    File dataDir = Files.createTempDirectory("oneca-zk-bench-").toFile();
    InstanceSpec spec = new InstanceSpec(dataDir, InstanceSpec.getRandomPort(), InstanceSpec.getRandomPort(),
        InstanceSpec.getRandomPort(), true, 1, 500, 0,
        Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false"), "127.0.0.1");
    TestingServer server = new TestingServer(spec, true);
    return new ZkServer(server, server.getConnectString());
  }

  String connectString() {
    return connectString;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }
}
