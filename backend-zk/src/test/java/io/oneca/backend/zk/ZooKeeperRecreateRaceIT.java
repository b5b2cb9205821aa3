package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ABA window of conditional writes: a znode deleted and re-created restarts at dataVersion 0,
 * so a write conditional on the dataVersion it read could land on the new incarnation. Another
 * client deletes and re-creates the key exactly between the store's read and its write (a test
 * hook), against a real in-process server: the write must be a conflict that leaves the new
 * incarnation untouched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZooKeeperRecreateRaceIT {
  private static final String KEY = "aba/ca";

  private TestingServer server;
  private ZooKeeperStore store;
  private ZooKeeperStore other;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    store = client();
    other = client();
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    other.close();
    server.close();
  }

  @Test
  void replace_keyDeletedAndRecreatedBetweenReadAndWrite_isAConflictAndKeepsTheNewIncarnation() {
    Versioned<byte[]> first = create(store, "first");
    AtomicReference<Versioned<byte[]>> recreated = recreateOnceBeforeTheWrite(first);

    CasResult result = store.compareAndSet(KEY, Precondition.atVersion(first.version()), bytes("mine")).join();

    assertThat(recreated.get()).as("the hook ran").isNotNull();
    assertThat(result).isInstanceOf(CasResult.Conflict.class);
    Versioned<byte[]> now = other.get(KEY).join().orElseThrow();
    assertThat(new String(now.value(), UTF_8)).isEqualTo("second");
    assertThat(now.version()).isEqualTo(recreated.get().version());
  }

  @Test
  void delete_keyDeletedAndRecreatedBetweenReadAndWrite_isAConflictAndKeepsTheNewIncarnation() {
    Versioned<byte[]> first = create(store, "first");
    AtomicReference<Versioned<byte[]>> recreated = recreateOnceBeforeTheWrite(first);

    CasResult result = store.delete(KEY, Precondition.atVersion(first.version())).join();

    assertThat(recreated.get()).as("the hook ran").isNotNull();
    assertThat(result).isInstanceOf(CasResult.Conflict.class);
    assertThat(new String(other.get(KEY).join().orElseThrow().value(), UTF_8)).isEqualTo("second");
  }

  /** Arms the hook: once, another client deletes the key and creates it again ("second"). */
  private AtomicReference<Versioned<byte[]>> recreateOnceBeforeTheWrite(Versioned<byte[]> first) {
    AtomicReference<Versioned<byte[]>> recreated = new AtomicReference<>();
    store.beforeConditionalWriteForTest(() -> {
      if (recreated.get() == null) {
        assertThat(other.delete(KEY, Precondition.atVersion(first.version())).join().applied()).isTrue();
        recreated.set(create(other, "second"));
      }
    });
    return recreated;
  }

  private static Versioned<byte[]> create(ZooKeeperStore client, String value) {
    return ((CasResult.Applied) client.compareAndSet(KEY, Precondition.absent(), bytes(value)).join()).value();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private ZooKeeperStore client() {
    return ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("aba-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .build();
  }
}
