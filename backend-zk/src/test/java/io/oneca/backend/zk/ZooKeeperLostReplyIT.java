package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real lost reply: the server applies the write, then the connection drops before the client
 * sees the answer. The store must report its own write as applied (not as a conflict with itself),
 * and the test shows that Curator's own retry loop, given the same fault, does exactly that wrong thing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperLostReplyIT {
  private TestingServer server;
  private ReplyDroppingProxy proxy;
  private ZooKeeperStore viaProxy;
  private ZooKeeperStore direct;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    proxy = new ReplyDroppingProxy(server.getPort());
    viaProxy = store(proxy.connectString());
    direct = store(server.getConnectString());
  }

  @AfterEach
  void stop() throws Exception {
    viaProxy.close();
    direct.close();
    proxy.close();
    server.close();
  }

  @Test
  void createReplyLost_reportedAsAppliedWithTheStoredVersion() throws Exception {
    // The parent must exist, so that the one create sent is the one that succeeds.
    viaProxy.compareAndSet("lost/sibling", Precondition.absent(), bytes("x")).get(30, TimeUnit.SECONDS);
    proxy.armOnce();

    CasResult result = viaProxy.compareAndSet("lost/create", Precondition.absent(), bytes("mine")).get(60, TimeUnit.SECONDS);

    assertThat(proxy.droppedReplies()).isEqualTo(1);
    assertThat(result.applied()).as("own write after a lost reply: %s", result).isTrue();
    Versioned<byte[]> stored = direct.get("lost/create").join().orElseThrow();
    assertThat(((CasResult.Applied) result).value().version()).isEqualTo(stored.version());
    assertThat(stored.value()).isEqualTo(bytes("mine"));
  }

  @Test
  void replaceReplyLost_reportedAsAppliedWithTheStoredVersion() throws Exception {
    Versioned<byte[]> first = ((CasResult.Applied) viaProxy.compareAndSet("lost/replace", Precondition.absent(), bytes("one"))
        .get(30, TimeUnit.SECONDS)).value();
    proxy.armOnce();

    CasResult result = viaProxy.compareAndSet("lost/replace", Precondition.atVersion(first.version()), bytes("two"))
        .get(60, TimeUnit.SECONDS);

    assertThat(proxy.droppedReplies()).isEqualTo(1);
    assertThat(result.applied()).as("own write after a lost reply: %s", result).isTrue();
    Versioned<byte[]> stored = direct.get("lost/replace").join().orElseThrow();
    assertThat(stored.version()).isGreaterThan(first.version());
    assertThat(((CasResult.Applied) result).value().version()).isEqualTo(stored.version());
  }

  @Test
  void curatorsOwnRetryLoop_sameFault_mistakesItsOwnCreateForSomeoneElses() throws Exception {
    viaProxy.curator().create().forPath("/curator-retry");
    proxy.armOnce();

    assertThatThrownBy(() -> viaProxy.curator().create().creatingParentsIfNeeded()
        .forPath("/curator-retry/node", bytes("mine")))
        .isInstanceOf(KeeperException.NodeExistsException.class);
    assertThat(proxy.droppedReplies()).isEqualTo(1);
  }

  private static ZooKeeperStore store(String connectString) {
    return ZooKeeperStore.builder()
        .connectString(connectString)
        .allowOpenAcl(true)
        .namespace("lost-reply-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
