package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscription read that fails while the connection stays up (the read after a new subscription,
 * or after a watch event) is retried with backoff until it succeeds or the subscription closes:
 * the subscriber still gets the state. Reads are made to fail by a wrapper around the store's own
 * reads, against a real in-process ZooKeeper server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZooKeeperSubscriptionReadFailureIT {
  private static final Duration BOUND = Duration.ofSeconds(15);

  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private TestingServer server;
  private ZooKeeperStore subscriber;
  private ZooKeeperStore writer;
  private ExecutorService listeners;

  @BeforeEach
  void start() throws Exception {
    server = ZkServers.standalone();
    subscriber = ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .allowOpenAcl(true)
        .namespace("read-failure-it")
        .sessionTimeout(Duration.ofSeconds(10))
        .subscriptionReadsForTest(reads -> new SubscriptionReads() {
          @Override
          public Optional<Versioned<byte[]>> get(String key) throws Exception {
            failIfProgrammed(key);
            return reads.get(key);
          }

          @Override
          public List<Versioned<byte[]>> list(String prefix) throws Exception {
            failIfProgrammed(prefix);
            return reads.list(prefix);
          }
        })
        .build();
    writer = ZooKeeperStore.builder().connectString(server.getConnectString()).allowOpenAcl(true)
        .namespace("read-failure-it").sessionTimeout(Duration.ofSeconds(10)).build();
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
  void firstReadOfANewSubscriptionFails_subscriberStillGetsTheState() throws Exception {
    Versioned<byte[]> v1 = create("fail/first", "one");
    failuresLeft.set(2);
    LatestStates states = new LatestStates();
    Subscription subscription = subscriber.subscribe(KeyScope.key("fail/first"), states, listeners);
    try {
      states.awaitVersion("fail/first", v1.version(), BOUND);
    } finally {
      subscription.close();
    }
    assertThat(failed.get()).isEqualTo(2);
  }

  @Test
  void readAfterAWatchEventFails_subscriberStillGetsTheNewState() throws Exception {
    Versioned<byte[]> v1 = create("fail/event", "one");
    LatestStates states = new LatestStates();
    Subscription subscription = subscriber.subscribe(KeyScope.prefix("fail/"), states, listeners);
    try {
      states.awaitVersion("fail/event", v1.version(), BOUND);
      failuresLeft.set(1);
      CasResult changed = writer.compareAndSet("fail/event", Precondition.atVersion(v1.version()), "two".getBytes(UTF_8)).join();
      long v2 = ((CasResult.Applied) changed).value().version();

      Optional<Versioned<byte[]>> got = states.awaitVersion("fail/event", v2, BOUND);
      assertThat(new String(got.orElseThrow().value(), UTF_8)).isEqualTo("two");
    } finally {
      subscription.close();
    }
    assertThat(failed.get()).isEqualTo(1);
  }

  private void failIfProgrammed(String what) {
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      failed.incrementAndGet();
      throw new StoreUnavailableException("zk://test", what, false, "injected read failure", null);
    }
  }

  private Versioned<byte[]> create(String key, String value) {
    return ((CasResult.Applied) writer.compareAndSet(key, Precondition.absent(), value.getBytes(UTF_8)).join()).value();
  }
}
