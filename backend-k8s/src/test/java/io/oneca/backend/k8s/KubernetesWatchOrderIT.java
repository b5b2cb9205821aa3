package io.oneca.backend.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads and watch events reach subscribers in order: a read that the API server answered before a
 * change, but that the store handles after the change's event, must not undo the change (the
 * "early read processed late marks a key deleted" race, made deterministic by holding the second
 * read's answer until the change was delivered).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesWatchOrderIT {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String KEY = "order/ca";

  private final ExecutorService listeners = Executors.newCachedThreadPool();
  private final AtomicInteger reads = new AtomicInteger();
  private final CountDownLatch readAnswered = new CountDownLatch(1);
  private final CountDownLatch releaseRead = new CountDownLatch(1);
  private MockApiServer server;
  private KubernetesSecretStore subscriber;
  private KubernetesSecretStore writer;

  @BeforeEach
  void start() throws Exception {
    server = new MockApiServer();
    subscriber = KubernetesSecretStore.owning(server.newClient(Duration.ofSeconds(10)), MockApiServer.NAMESPACE,
        "oneca-", source -> new SecretWatchSource() {
          @Override
          public Watch open(Watcher<Secret> watcher) {
            return source.open(watcher);
          }

          @Override
          public List<Secret> read() {
            List<Secret> answer = source.read();
            if (reads.incrementAndGet() == 2) {
              // The second read has its answer (the key absent) but is held until the key exists.
              readAnswered.countDown();
              await(releaseRead);
            }
            return answer;
          }
        });
    writer = server.newStore(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    releaseRead.countDown();
    subscriber.close();
    writer.close();
    server.close();
    listeners.shutdownNow();
  }

  @Test
  void readAnsweredBeforeACreateButHandledAfterIt_neverMarksTheKeyDeleted() throws Exception {
    StateQueue keyStates = new StateQueue();
    Subscription first = subscriber.subscribe(KeyScope.key(KEY), keyStates, listeners);
    StateQueue prefixStates = new StateQueue();
    Subscription second = null;
    try {
      keyStates.await(s -> s.state().isEmpty(), BOUND);
      second = subscriber.subscribe(KeyScope.prefix("order/"), prefixStates, listeners);
      assertThat(readAnswered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("second read answered").isTrue();

      Versioned<byte[]> created = applied(writer.compareAndSet(KEY, Precondition.absent(), "one".getBytes(UTF_8)).join());
      keyStates.await(s -> s.version() == created.version(), BOUND);
      releaseRead.countDown();
      prefixStates.await(s -> s.version() == created.version(), BOUND);

      Versioned<byte[]> changed = applied(writer.compareAndSet(KEY, Precondition.atVersion(created.version()),
          "two".getBytes(UTF_8)).join());
      keyStates.await(s -> s.version() == changed.version(), BOUND);
      prefixStates.await(s -> s.version() == changed.version(), BOUND);

      assertThat(keyStates.history()).extracting(StateQueue.State::version)
          .as("the key subscriber's states: never deleted after it was created")
          .containsExactly(0L, created.version(), changed.version());
      assertThat(prefixStates.history()).extracting(StateQueue.State::version)
          .containsExactly(created.version(), changed.version());
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Versioned<byte[]> applied(CasResult result) {
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }
}
