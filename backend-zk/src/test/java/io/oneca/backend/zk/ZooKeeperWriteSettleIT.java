package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a write whose reply was lost (ConnectionLoss) is settled by re-reading the key, against a
 * real server: each case first puts the store in the state the lost write may have left behind.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperWriteSettleIT {
  private static final KeeperException LOST = new KeeperException.ConnectionLossException();

  private TestingServer server;
  private ZooKeeperStore store;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    store = ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("settle-it")
        .connectionTimeout(Duration.ofSeconds(1))
        .sessionTimeout(Duration.ofSeconds(10))
        .retryPolicy(new RetryNTimes(1, 100))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    server.close();
  }

  @Test
  void createLostReply_ourBytesStored_isApplied() throws Exception {
    Versioned<byte[]> stored = write("k", Precondition.absent(), "mine");

    CasResult settled = store.settleForTest("k", Precondition.absent(), bytes("mine"), LOST);

    assertThat(settled.applied()).isTrue();
    assertThat(((CasResult.Applied) settled).value().version()).isEqualTo(stored.version());
    assertThat(((CasResult.Applied) settled).value().value()).isEqualTo(bytes("mine"));
  }

  @Test
  void createLostReply_otherBytesStored_isConflictWithThem() throws Exception {
    Versioned<byte[]> theirs = write("k", Precondition.absent(), "theirs");

    CasResult settled = store.settleForTest("k", Precondition.absent(), bytes("mine"), LOST);

    assertThat(settled).isInstanceOf(CasResult.Conflict.class);
    Versioned<byte[]> current = ((CasResult.Conflict) settled).current().orElseThrow();
    assertThat(current.version()).isEqualTo(theirs.version());
    assertThat(current.value()).isEqualTo(bytes("theirs"));
  }

  @Test
  void createLostReply_keyAbsent_isUnknownOutcome() {
    assertThatThrownBy(() -> store.settleForTest("k", Precondition.absent(), bytes("mine"), LOST))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isTrue();
          assertThat(e.key()).isEqualTo("k");
        });
  }

  @Test
  void replaceLostReply_ourBytesAtNewerVersion_isApplied() throws Exception {
    Versioned<byte[]> first = write("k", Precondition.absent(), "one");
    Versioned<byte[]> second = write("k", Precondition.atVersion(first.version()), "two");

    CasResult settled = store.settleForTest("k", Precondition.atVersion(first.version()), bytes("two"), LOST);

    assertThat(settled.applied()).isTrue();
    assertThat(((CasResult.Applied) settled).value().version()).isEqualTo(second.version());
  }

  @Test
  void replaceLostReply_versionUnchanged_isNotAppliedAndSafeToRetry() throws Exception {
    Versioned<byte[]> first = write("k", Precondition.absent(), "one");

    assertThatThrownBy(() -> store.settleForTest("k", Precondition.atVersion(first.version()), bytes("two"), LOST))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isFalse();
          assertThat(e.getMessage()).contains("not applied").contains(Long.toString(first.version()));
        });
  }

  @Test
  void replaceLostReply_sameBytesButVersionUnchanged_isNotApplied() throws Exception {
    Versioned<byte[]> first = write("k", Precondition.absent(), "same");

    assertThatThrownBy(() -> store.settleForTest("k", Precondition.atVersion(first.version()), bytes("same"), LOST))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> assertThat(e.writeOutcomeUnknown()).isFalse());
  }

  @Test
  void replaceLostReply_keyDeleted_isEmptyConflict() throws Exception {
    assertThat(store.settleForTest("k", Precondition.atVersion(5), bytes("two"), LOST))
        .isEqualTo(new CasResult.Conflict(Optional.empty()));
  }

  @Test
  void lostReply_storeUnreadable_isUnknownOutcome() throws Exception {
    server.stop();

    assertThatThrownBy(() -> store.settleForTest("k", Precondition.absent(), bytes("mine"), LOST))
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isTrue();
          assertThat(e.getMessage()).contains("'k'").contains("could not be re-read");
        });
  }

  private Versioned<byte[]> write(String key, Precondition precondition, String value) {
    return ((CasResult.Applied) store.compareAndSet(key, precondition, bytes(value)).join()).value();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
