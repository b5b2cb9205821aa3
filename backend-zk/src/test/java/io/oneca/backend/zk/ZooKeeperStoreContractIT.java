package io.oneca.backend.zk;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** {@link ZooKeeperStore} against the whole store contract, on a real ZooKeeper; every client has its own session. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperStoreContractIT extends VersionedStoreContract {
  private static TestingServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = ZkServers.standalone();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected VersionedStore openClient() {
    return ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("contract-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
  }
}
