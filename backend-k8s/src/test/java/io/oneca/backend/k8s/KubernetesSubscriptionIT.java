package io.oneca.backend.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
 * Subscriptions when Secrets change behind the store's back: deleted and re-created by someone
 * else (the ingress-controller reload bug), restored from a backup with an old version, and watches
 * that end with 410 Gone after missing events.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesSubscriptionIT {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final String KEY = "subs/ca";

  private final ExecutorService listeners = Executors.newSingleThreadExecutor();
  private final List<Watcher<Secret>> watchers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean dropEvents = new AtomicBoolean();
  private MockApiServer server;
  private KubernetesSecretStore subscriber;
  private KubernetesSecretStore writer;
  private KubernetesClient plain;

  @BeforeEach
  void start() throws Exception {
    server = new MockApiServer();
    subscriber = KubernetesSecretStore.owning(server.newClient(Duration.ofSeconds(10)), MockApiServer.NAMESPACE,
        "oneca-", source -> new SecretWatchSource() {
          @Override
          public Watch open(Watcher<Secret> watcher) {
            watchers.add(watcher);
            return source.open(new Watcher<>() {
              @Override
              public void eventReceived(Action action, Secret resource) {
                if (!dropEvents.get()) {
                  watcher.eventReceived(action, resource);
                }
              }

              @Override
              public void onClose(WatcherException cause) {
                watcher.onClose(cause);
              }
            });
          }

          @Override
          public List<Secret> read() {
            return source.read();
          }
        });
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
  void secretDeletedAndRecreatedByAnotherClient_subscriberGetsEmptyThenTheNewState() throws Exception {
    Versioned<byte[]> first = create(KEY, "first");
    StateQueue states = new StateQueue();
    Subscription subscription = subscriber.subscribe(KeyScope.key(KEY), states, listeners);
    try {
      states.await(s -> s.version() == first.version(), BOUND);

      plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName("oneca-subs--ca").delete();
      states.await(s -> s.state().isEmpty(), BOUND);
      Versioned<byte[]> second = create(KEY, "second");

      StateQueue.State delivered = states.await(s -> s.state().isPresent(), BOUND);
      assertThat(delivered.version()).isEqualTo(second.version()).isGreaterThan(first.version());
      assertThat(new String(delivered.state().orElseThrow().value(), UTF_8)).isEqualTo("second");
    } finally {
      subscription.close();
    }
  }

  @Test
  void secretRestoredFromBackupWithItsOldVersion_isDeliveredAsTheNewStateWithAHigherVersion() throws Exception {
    Versioned<byte[]> first = create(KEY, "backed up");
    Secret backup = plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName("oneca-subs--ca").get();
    StateQueue states = new StateQueue();
    Subscription subscription = subscriber.subscribe(KeyScope.key(KEY), states, listeners);
    try {
      states.await(s -> s.version() == first.version(), BOUND);

      plain.secrets().inNamespace(MockApiServer.NAMESPACE).withName("oneca-subs--ca").delete();
      states.await(s -> s.state().isEmpty(), BOUND);
      plain.secrets().inNamespace(MockApiServer.NAMESPACE).resource(new SecretBuilder(backup)
          .editMetadata().withResourceVersion(null).withUid(null).withCreationTimestamp(null).endMetadata()
          .build()).create();

      StateQueue.State delivered = states.await(s -> s.state().isPresent(), BOUND);
      assertThat(delivered.version()).isGreaterThan(first.version());
      assertThat(new String(delivered.state().orElseThrow().value(), UTF_8)).isEqualTo("backed up");
      assertThat(writer.get(KEY).join().orElseThrow().version()).isEqualTo(delivered.version());
    } finally {
      subscription.close();
    }
  }

  @Test
  void prefixSubscription_secretRecreatedExternally_deliversTheNewState() throws Exception {
    Versioned<byte[]> first = create("tenants/a", "one");
    StateQueue states = new StateQueue();
    Subscription subscription = subscriber.subscribe(KeyScope.prefix("tenants/"), states, listeners);
    try {
      states.await(s -> s.version() == first.version(), BOUND);

      applied(writer.delete("tenants/a", Precondition.atVersion(first.version())).join());
      states.await(s -> s.key().equals("tenants/a") && s.state().isEmpty(), BOUND);
      Versioned<byte[]> second = create("tenants/a", "two");

      StateQueue.State delivered = states.await(s -> s.state().isPresent(), BOUND);
      assertThat(delivered.version()).isEqualTo(second.version());
    } finally {
      subscription.close();
    }
  }

  @Test
  void watchEndsWith410GoneAfterMissingEvents_reReadDeliversTheCurrentState() throws Exception {
    Versioned<byte[]> first = create(KEY, "first");
    StateQueue states = new StateQueue();
    Subscription subscription = subscriber.subscribe(KeyScope.key(KEY), states, listeners);
    try {
      states.await(s -> s.version() == first.version(), BOUND);
      dropEvents.set(true);
      Versioned<byte[]> missed = applied(writer.compareAndSet(KEY, Precondition.atVersion(first.version()), "missed".getBytes(UTF_8)).join());
      dropEvents.set(false);

      watchers.get(watchers.size() - 1).onClose(new WatcherException("too old resource version",
          new KubernetesClientException("too old resource version", 410, null)));

      StateQueue.State delivered = states.await(s -> s.version() == missed.version(), BOUND);
      assertThat(new String(delivered.state().orElseThrow().value(), UTF_8)).isEqualTo("missed");
      assertThat(watchers).hasSizeGreaterThanOrEqualTo(2);
    } finally {
      subscription.close();
    }
  }

  private Versioned<byte[]> create(String key, String value) {
    return applied(writer.compareAndSet(key, Precondition.absent(), value.getBytes(UTF_8)).join());
  }

  private static Versioned<byte[]> applied(CasResult result) {
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }
}
