package io.oneca.backend.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import io.oneca.testkit.etcd.EtcdMember;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Subscriptions across the faults the contract suite cannot produce: compaction and reconnects. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdSubscriptionIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final ExecutorService listenerThread = Executors.newSingleThreadExecutor();
  private final EtcdStore subscriber = EtcdStore.builder().endpoints(ETCD.clientEndpoints())
      .requestTimeout(Duration.ofSeconds(1)).build();
  private final EtcdStore writer = EtcdStore.builder().endpoints(ETCD.clientEndpoints()).build();

  @AfterEach
  void close() {
    ETCD.cluster().member(0).start();
    subscriber.close();
    writer.close();
    listenerThread.shutdownNow();
  }

  @Test
  void compactedPastTheSubscribersRevision_subscriberReReadsAndGetsTheLatest() throws Exception {
    String key = "compaction/" + System.nanoTime();
    Versioned<byte[]> first = put(key, Precondition.absent(), "v1");
    LinkedBlockingQueue<Optional<Versioned<byte[]>>> states = new LinkedBlockingQueue<>();
    try (Subscription subscription = subscriber.subscribe(KeyScope.key(key), (k, s) -> states.add(s), listenerThread)) {
      assertThat(next(states).orElseThrow().version()).isEqualTo(first.version());

      // The connection drops; while it is away the key changes and etcd compacts its history.
      subscriber.watchesForTest().interruptWatchForTest(0);
      Versioned<byte[]> second = put(key, Precondition.atVersion(first.version()), "v2");
      Versioned<byte[]> third = put(key, Precondition.atVersion(second.version()), "v3");
      try (Client admin = Client.builder().endpoints(ETCD.clientEndpoints().toArray(String[]::new)).build()) {
        admin.getKVClient().compact(third.version()).get(10, TimeUnit.SECONDS);
      }
      Versioned<byte[]> latest = put(key, Precondition.atVersion(third.version()), "v4");
      // It reconnects and resumes from the revision after the last one it saw: compacted away.
      subscriber.watchesForTest().interruptWatchForTest(first.version() + 1);

      Versioned<byte[]> delivered = next(states).orElseThrow();
      assertThat(delivered.version()).isEqualTo(latest.version());
      assertThat(new String(delivered.value(), UTF_8)).isEqualTo("v4");
      assertThat(subscription.isClosed()).isFalse();
    }
  }

  @Test
  void subscriptionClosedWhileItsWatchIsReconnecting_removesOnlyItsEpoch_newOneKeepsWorking() throws Exception {
    EtcdMember etcd = ETCD.cluster().member(0);
    String key = "reconnect/" + System.nanoTime();
    Versioned<byte[]> first = put(key, Precondition.absent(), "v1");
    LinkedBlockingQueue<Optional<Versioned<byte[]>>> oldStates = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Optional<Versioned<byte[]>>> newStates = new LinkedBlockingQueue<>();
    Subscription old = subscriber.subscribe(KeyScope.key(key), (k, s) -> oldStates.add(s), listenerThread);
    assertThat(next(oldStates).orElseThrow().version()).isEqualTo(first.version());

    etcd.stop();
    old.close();
    Subscription replacement = subscriber.subscribe(KeyScope.key(key), (k, s) -> newStates.add(s), listenerThread);
    etcd.start();
    etcd.awaitHealthy(BOUND);

    assertThat(replacement.epoch()).isGreaterThan(old.epoch());
    assertThat(next(newStates).orElseThrow().version()).isEqualTo(first.version());
    Versioned<byte[]> second = put(key, Precondition.atVersion(first.version()), "v2");
    assertThat(next(newStates).orElseThrow().version()).isEqualTo(second.version());
    listenerThread.submit(() -> { }).get(10, TimeUnit.SECONDS);
    assertThat(oldStates).as("the closed subscription was called").isEmpty();
    assertThat(old.isClosed()).isTrue();
    assertThat(replacement.isClosed()).isFalse();
    replacement.close();
  }

  private Versioned<byte[]> put(String key, Precondition precondition, String value) throws Exception {
    CasResult result = writer.compareAndSet(key, precondition, value.getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
    assertThat(result.applied()).as("write of %s to %s", value, key).isTrue();
    return ((CasResult.Applied) result).value();
  }

  private static Optional<Versioned<byte[]>> next(LinkedBlockingQueue<Optional<Versioned<byte[]>>> states)
      throws InterruptedException {
    Optional<Versioned<byte[]>> state = states.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(state).as("no state delivered within %s", BOUND).isNotNull();
    return state;
  }
}
