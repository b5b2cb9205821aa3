package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber's ZooKeeper session expires (injected with curator-test's {@link KillSession}) and
 * other clients change keys while its watches are gone. After the new session the subscriber must
 * hold the latest state (including deletions), and later changes must keep arriving.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperSessionExpiryIT {
  private static final Duration BOUND = Duration.ofSeconds(20);

  private TestingServer server;
  private ZooKeeperStore subscriber;
  private ZooKeeperStore writer;
  private ExecutorService listeners;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    subscriber = client();
    writer = client();
    listeners = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stop() throws Exception {
    subscriber.close();
    writer.close();
    listeners.shutdownNow();
    server.close();
  }

  @Test
  void keySubscriber_sessionExpires_receivesChangesMadeMeanwhileAndLaterOnes() throws Exception {
    String key = "expiry/ca";
    Versioned<byte[]> v1 = create(key, "one");
    LatestStates states = new LatestStates();
    subscriber.subscribe(KeyScope.key(key), states, listeners);
    states.awaitVersion(key, v1.version(), BOUND);
    long oldSession = sessionId();

    KillSession.kill(subscriber.curator().getZookeeperClient().getZooKeeper());
    Versioned<byte[]> v2 = replace(v1, "two");
    Versioned<byte[]> v3 = replace(v2, "three");

    Optional<Versioned<byte[]>> seen = states.awaitVersion(key, v3.version(), BOUND);
    assertThat(new String(seen.orElseThrow().value(), UTF_8)).isEqualTo("three");
    assertThat(sessionId()).isNotEqualTo(oldSession);
    Versioned<byte[]> v4 = replace(v3, "four");
    assertThat(states.awaitVersion(key, v4.version(), BOUND).orElseThrow().version()).isEqualTo(v4.version());
    assertThat(states.violations()).isEmpty();
  }

  @Test
  void prefixSubscriber_sessionExpires_seesDeletionUpdateAndCreationMadeMeanwhile() throws Exception {
    Versioned<byte[]> a = create("tenants/a", "a1");
    Versioned<byte[]> b = create("tenants/b", "b1");
    LatestStates states = new LatestStates();
    subscriber.subscribe(KeyScope.prefix("tenants/"), states, listeners);
    states.awaitVersion(a.key(), a.version(), BOUND);
    states.awaitVersion(b.key(), b.version(), BOUND);

    KillSession.kill(subscriber.curator().getZookeeperClient().getZooKeeper());
    assertThat(writer.delete(a.key(), Precondition.atVersion(a.version())).join().applied()).isTrue();
    Versioned<byte[]> b2 = replace(b, "b2");
    Versioned<byte[]> c = create("tenants/c", "c1");

    states.await(a.key(), Optional::isEmpty, BOUND);
    states.awaitVersion(b2.key(), b2.version(), BOUND);
    states.awaitVersion(c.key(), c.version(), BOUND);
    Versioned<byte[]> c2 = replace(c, "c2");
    states.awaitVersion(c2.key(), c2.version(), BOUND);
    assertThat(states.violations()).isEmpty();
  }

  private long sessionId() throws Exception {
    subscriber.curator().blockUntilConnected(20, TimeUnit.SECONDS);
    return subscriber.curator().getZookeeperClient().getZooKeeper().getSessionId();
  }

  private Versioned<byte[]> create(String key, String value) {
    return ((CasResult.Applied) writer.compareAndSet(key, Precondition.absent(), value.getBytes(UTF_8)).join()).value();
  }

  private Versioned<byte[]> replace(Versioned<byte[]> current, String value) {
    return ((CasResult.Applied) writer.compareAndSet(current.key(), Precondition.atVersion(current.version()),
        value.getBytes(UTF_8)).join()).value();
  }

  private ZooKeeperStore client() {
    return ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("expiry-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .build();
  }
}
