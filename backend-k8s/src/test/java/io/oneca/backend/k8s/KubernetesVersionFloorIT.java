package io.oneca.backend.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Versions never go backwards after the version counter Secret is lost and reseeded from the
 * records that still exist: a store uses the newest version it has seen (per key and for the whole
 * store) as the floor, both for its own writes and when it raises the version of a Secret restored
 * from a backup.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesVersionFloorIT {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String KEY = "floor/ca";
  private static final String SECRET = "oneca-floor--ca";
  private static final String COUNTER = "oneca-version.counter";

  private final ExecutorService listeners = Executors.newSingleThreadExecutor();
  private MockApiServer server;
  private KubernetesSecretStore subscriber;
  private KubernetesSecretStore writer;
  private KubernetesClient plain;

  @BeforeEach
  void start() throws Exception {
    server = new MockApiServer();
    subscriber = server.newStore(Duration.ofSeconds(10));
    writer = server.newStore(Duration.ofSeconds(10));
    plain = server.newClient(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    subscriber.close();
    writer.close();
    server.close();
    listeners.shutdownNow();
  }

  @Test
  void counterLost_storeRecreatesAKeyItDeleted_newVersionIsAboveTheDeletedOne() {
    Versioned<byte[]> last = writeSeveralVersions(writer);
    applied(writer.delete(KEY, Precondition.atVersion(last.version())).join());
    plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName(COUNTER).delete();

    Versioned<byte[]> recreated = applied(writer.compareAndSet(KEY, Precondition.absent(), "again".getBytes(UTF_8)).join());

    assertThat(recreated.version()).isGreaterThan(last.version());
  }

  @Test
  void counterLost_secretRestoredFromBackup_isRaisedOnceAboveEveryVersionSeen() throws Exception {
    Versioned<byte[]> first = applied(writer.compareAndSet(KEY, Precondition.absent(), "backed up".getBytes(UTF_8)).join());
    Secret backup = plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName(SECRET).get();
    Versioned<byte[]> last = writeSeveralVersionsFrom(writer, first);
    StateQueue states = new StateQueue();
    Subscription subscription = subscriber.subscribe(KeyScope.key(KEY), states, listeners);
    List<Long> versionsWritten = new CopyOnWriteArrayList<>();
    AtomicBoolean restored = new AtomicBoolean();
    Watch secretWatch = plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName(SECRET).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Secret secret) {
        if (restored.get() && action != Action.DELETED) {
          versionsWritten.add(SecretCodec.versionOf(secret));
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    try {
      states.await(s -> s.version() == last.version(), BOUND);
      applied(writer.delete(KEY, Precondition.atVersion(last.version())).join());
      states.await(s -> s.state().isEmpty(), BOUND);
      plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName(COUNTER).delete();

      restored.set(true);
      plain.secrets().inNamespace(MockApiServer.NAMESPACE).resource(new SecretBuilder(backup)
          .editMetadata().withResourceVersion(null).withUid(null).withCreationTimestamp(null).endMetadata()
          .build()).create();

      StateQueue.State delivered = states.await(s -> s.state().isPresent(), BOUND);
      assertThat(delivered.version()).isGreaterThan(last.version());
      assertThat(new String(delivered.state().orElseThrow().value(), UTF_8)).isEqualTo("backed up");
      // The restore itself brings back the old version; every version written after it (the raise)
      // must be above everything readers have seen, so no reader ever sees the key go backwards.
      assertThat(versionsWritten).filteredOn(v -> v != first.version())
          .as("versions the Secret took after the restore, besides the restored one")
          .allMatch(v -> v > last.version())
          .contains(delivered.version());
    } finally {
      secretWatch.close();
      subscription.close();
    }
  }

  private static Versioned<byte[]> writeSeveralVersions(KubernetesSecretStore store) {
    return writeSeveralVersionsFrom(store, applied(store.compareAndSet(KEY, Precondition.absent(), "v0".getBytes(UTF_8)).join()));
  }

  private static Versioned<byte[]> writeSeveralVersionsFrom(KubernetesSecretStore store, Versioned<byte[]> from) {
    Versioned<byte[]> current = from;
    for (int i = 1; i <= 4; i++) {
      current = applied(store.compareAndSet(KEY, Precondition.atVersion(current.version()), ("v" + i).getBytes(UTF_8)).join());
    }
    return current;
  }

  private static Versioned<byte[]> applied(CasResult result) {
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }
}
