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

  private ZkServers() {}

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
    return new InstanceSpec(dataDir, InstanceSpec.getRandomPort(), InstanceSpec.getRandomPort(),
        InstanceSpec.getRandomPort(), true, serverId, TICK_MILLIS, 0,
        Map.of("clientPortAddress", LOOPBACK, "admin.enableServer", "false"), LOOPBACK);
  }
}
