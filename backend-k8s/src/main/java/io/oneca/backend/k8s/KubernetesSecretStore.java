package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.OneCaException;
import io.oneca.api.StoreClosedException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link VersionedStore} on Kubernetes Secrets, through the fabric8 client: one Secret per key in
 * one namespace, so that replicas of a Deployment agree on one CA with nothing but the API server.
 *
 * <p>Each key lives in the Secret named {@code <namePrefix><escaped key>} (see the module README for
 * the exact, collision-free mapping), labelled {@code app.kubernetes.io/managed-by=oneca}, with the
 * original key, the store version and a digest of the value in annotations. Values are Secret
 * {@code data} (base64); a {@link io.oneca.api.store.NamedEntries} record is stored as one data key
 * per entry ({@code ca.crt}, {@code tls.crt}, ...), and a record with {@code tls.crt} and
 * {@code tls.key} is created as type {@code kubernetes.io/tls}. Reads are plain GETs and LISTs
 * (served from etcd with quorum), never an informer cache.
 *
 * <p>Versions come from a counter Secret ({@code <namePrefix>version.counter}) and so keep
 * increasing across delete and re-create; each write is conditional on the Secret's
 * {@code resourceVersion}. Subscriptions share one fabric8 watch per store, applied in order with
 * the store's reads, and re-read after every end of the watch (including 410 Gone). Listeners run on the caller's executor; API calls on threads of this
 * store.
 *
 * <pre>{@code
 * try (VersionedStore store = KubernetesSecretStore.builder().namespace("cloudcore").build()) { ... }
 * }</pre>
 */
public final class KubernetesSecretStore implements VersionedStore {
  private final String backend;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final SecretNames names;
  private final SecretOperations operations;
  private final NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets;
  private final SubscriptionRegistry registry;
  private final ExecutorService io;
  private final SecretWatchHub hub;
  private volatile boolean closed;

  private KubernetesSecretStore(KubernetesClient client, boolean ownsClient, String namespace, String namePrefix) {
    this(client, ownsClient, namespace, namePrefix, UnaryOperator.identity());
  }

  private KubernetesSecretStore(KubernetesClient client, boolean ownsClient, String namespace, String namePrefix,
      UnaryOperator<SecretWatchSource> watchDecorator) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.names = new SecretNames(namePrefix);
    this.backend = "k8s://" + namespace + "?namePrefix=" + namePrefix;
    this.secrets = client.secrets().inNamespace(namespace);
    VersionFloor floor = new VersionFloor();
    this.operations = new SecretOperations(backend, names, secrets, floor);
    this.registry = new SubscriptionRegistry(backend);
    this.io = Executors.newCachedThreadPool(daemonThreads("oneca-k8s-io"));
    this.hub = new SecretWatchHub(backend, operations, watchDecorator.apply(new WatchSource()), registry, io, floor);
  }

  /** A store on a client it closes; for tests that create clients of their own. */
  static KubernetesSecretStore owning(KubernetesClient client, String namespace, String namePrefix) {
    return new KubernetesSecretStore(client, true, namespace, namePrefix);
  }

  /** As {@link #owning}, with the watches' source wrapped; for tests that end watches. */
  static KubernetesSecretStore owning(KubernetesClient client, String namespace, String namePrefix,
      UnaryOperator<SecretWatchSource> watchDecorator) {
    return new KubernetesSecretStore(client, true, namespace, namePrefix, watchDecorator);
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String backend() {
    return backend;
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return submit(key, () -> operations.get(key));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    byte[] copy = value.clone();
    return submit(key, () -> operations.compareAndSet(key, precondition, copy));
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    Precondition.AtVersion atVersion = StoreKeys.validateDelete(key, precondition);
    return submit(key, () -> operations.delete(key, atVersion));
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    return submit(null, () -> operations.list(prefix));
  }

  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Objects.requireNonNull(scope, "scope");
    if (closed) {
      throw new StoreClosedException(backend);
    }
    return hub.subscribe(scope, listener, executor);
  }

  /** Closes the subscriptions, the store's threads and the client if the store created it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    hub.close();
    io.shutdown();
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "KubernetesSecretStore[" + backend + "]";
  }

  private <T> CompletableFuture<T> submit(String key, Supplier<T> operation) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      io.execute(() -> {
        try {
          result.complete(operation.get());
        } catch (OneCaException e) {
          result.completeExceptionally(e);
        } catch (RuntimeException e) {
          result.completeExceptionally(new StoreUnavailableException(backend, key, false,
              "unexpected failure: " + e.getClass().getSimpleName(), e));
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new StoreClosedException(backend));
    }
    return result;
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private final class WatchSource implements SecretWatchSource {
    @Override
    public Watch open(Watcher<Secret> watcher) {
      return secrets.withLabel(SecretCodec.MANAGED_BY_LABEL, SecretCodec.MANAGED_BY).watch(watcher);
    }

    @Override
    public List<Secret> read() {
      try {
        return secrets.withLabel(SecretCodec.MANAGED_BY_LABEL, SecretCodec.MANAGED_BY).list().getItems();
      } catch (KubernetesClientException e) {
        throw ApiErrors.toStoreException(backend, null, false, "LIST of Secrets for subscriptions", e);
      }
    }
  }

  /**
   * Configures a {@link KubernetesSecretStore}. Each setter may be called once.
   *
   * <p>Without {@link #client(KubernetesClient)} the store builds its own client with fabric8's
   * {@link Config#autoConfigure(String)}: in a pod, the service account token, CA and namespace
   * mounted under {@code /var/run/secrets/kubernetes.io/serviceaccount}; elsewhere the kubeconfig
   * ({@code KUBECONFIG} or {@code ~/.kube/config}) and its current context or {@link #context(String)}.
   */
  public static final class Builder {
    private String namespace;
    private KubernetesClient client;
    private String context;
    private String namePrefix;
    private Duration requestTimeout;

    private Builder() {}

    /**
     * Sets the namespace that holds the Secrets. Default: the client's namespace (in a pod, the
     * pod's own namespace; with a kubeconfig, the context's namespace).
     *
     * @param namespace a DNS-1123 label
     * @return this builder
     */
    public Builder namespace(String namespace) {
      requireUnset(this.namespace, "namespace");
      Objects.requireNonNull(namespace, "namespace");
      if (namespace.isEmpty() || namespace.length() > 63 || namespace.contains(".")
          || !SecretNames.isDns1123Subdomain(namespace)) {
        throw new InvalidRequestException("namespace", "'" + namespace + "' is not a DNS-1123 label");
      }
      this.namespace = namespace;
      return this;
    }

    /**
     * Uses a client the caller configured and owns: the store never closes it. Default: a client
     * built by the store (see the class documentation), closed with the store.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(KubernetesClient client) {
      requireUnset(this.client, "client");
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Selects a kubeconfig context for the client the store builds. Default: the current context.
     * Cannot be combined with {@link #client(KubernetesClient)}.
     *
     * @param context the context name
     * @return this builder
     */
    public Builder context(String context) {
      requireUnset(this.context, "context");
      Objects.requireNonNull(context, "context");
      if (context.isBlank()) {
        throw new InvalidRequestException("context", "must not be blank");
      }
      this.context = context;
      return this;
    }

    /**
     * Sets the prefix of every Secret name this store uses, so that several stores (or other
     * software) can share a namespace. Default: {@code oneca-}.
     *
     * @param namePrefix 1 to 63 characters from {@code [a-z0-9-]}, starting with a letter or digit
     * @return this builder
     */
    public Builder namePrefix(String namePrefix) {
      requireUnset(this.namePrefix, "namePrefix");
      this.namePrefix = SecretNames.validatePrefix(namePrefix);
      return this;
    }

    /**
     * Sets the timeout of each API request of the client the store builds; a write that times out
     * is settled by a re-read. Default: 10 seconds. Cannot be combined with
     * {@link #client(KubernetesClient)} (configure that client instead).
     *
     * @param requestTimeout positive, at most one hour
     * @return this builder
     */
    public Builder requestTimeout(Duration requestTimeout) {
      requireUnset(this.requestTimeout, "requestTimeout");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new InvalidRequestException("requestTimeout", "must be positive and at most 1 hour, was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Builds the store. With no client given, this reads the local configuration but does not
     * contact the API server.
     *
     * @return the open store
     * @throws IllegalStateException if {@code client} was combined with {@code context} or
     *     {@code requestTimeout}
     * @throws InvalidRequestException if no namespace is set and the client has none
     */
    public KubernetesSecretStore build() {
      boolean owns = client == null;
      KubernetesClient built = client;
      if (owns) {
        Config config = Config.autoConfigure(context);
        int timeoutMillis = (int) (requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout).toMillis();
        config.setRequestTimeout(timeoutMillis);
        built = new KubernetesClientBuilder().withConfig(config).build();
      } else if (context != null || requestTimeout != null) {
        throw new IllegalStateException("context and requestTimeout configure the client the store builds; "
            + "they cannot be combined with client(...)");
      }
      String ns = namespace != null ? namespace : built.getNamespace();
      if (ns == null) {
        if (owns) {
          built.close();
        }
        throw new InvalidRequestException("namespace", "not set, and the Kubernetes configuration names none");
      }
      return new KubernetesSecretStore(built, owns, ns, namePrefix == null ? "oneca-" : namePrefix);
    }

    private static void requireUnset(Object value, String name) {
      if (value != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
