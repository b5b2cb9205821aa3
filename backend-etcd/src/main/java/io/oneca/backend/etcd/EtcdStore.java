package io.oneca.backend.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.oneca.api.InvalidRequestException;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * A {@link VersionedStore} on etcd v3, through jetcd: what OneCA replicas use to agree on one CA
 * when they already run next to etcd (Kubernetes control planes, CloudCore-like deployments).
 *
 * <p>How the SPI maps onto etcd: the version of a value is its {@code mod_revision} (it grows per
 * key across delete and re-create, as the SPI requires); create-if-absent is a transaction
 * {@code if create_revision == 0 then put else get}; replace-if-unchanged is
 * {@code if mod_revision == v then put else get}, so a lost race returns the winner without a
 * second round trip; reads are linearizable. A write that fails without a definite answer from etcd
 * (unavailable, deadline, broken connection) is settled by one re-read and never retried; if the
 * re-read cannot tell, it fails with {@link StoreUnavailableException#writeOutcomeUnknown()}.
 * Subscriptions share one etcd watch per store, re-read and re-deliver the current state after a
 * reconnect or a compacted history, and run listeners on the caller's executor.
 *
 * <pre>{@code
 * try (EtcdStore store = EtcdStore.builder().endpoints("10.0.0.1:2379", "10.0.0.2:2379").build()) {
 *   OneCa oneCa = OneCa.builder().store(store)
 *       .keyEncryptionKey(KeyEncryptionKeys.fromFile(Path.of("/etc/oneca/kek"))).build();
 * }
 * // or: Stores.open("etcd://10.0.0.1:2379,10.0.0.2:2379/prod?tlsCa=/etc/etcd/ca.pem")
 * }</pre>
 *
 * <p>Thread-safe. Each instance owns one jetcd client; {@link #close()} closes it.
 */
public final class EtcdStore implements VersionedStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtcdStore.class);

  private final String backend;
  private final String keyPrefix;
  private final Duration requestTimeout;
  private final Client client;
  private final KV kv;
  private final EtcdWatchHub watches;
  private volatile boolean closed;

  EtcdStore(EtcdStoreBuilder config, char[] password) {
    this.backend = config.description();
    this.keyPrefix = config.keyPrefixOrDefault();
    this.requestTimeout = config.requestTimeoutOrDefault();
    this.client = newClient(config, password);
    this.kv = client.getKVClient();
    this.watches = new EtcdWatchHub(backend, keyPrefix, kv, client.getWatchClient(), this::withTimeout);
  }

  /**
   * Returns a builder. Only {@link EtcdStoreBuilder#endpoints(List)} is required.
   *
   * @return a new builder
   */
  public static EtcdStoreBuilder builder() {
    return new EtcdStoreBuilder();
  }

  /**
   * Opens a store from a URI: {@code etcd://host:port[,host:port...][/prefix][?param=value&...]}.
   * Parameters: {@code tlsCa}, {@code tlsCert}, {@code tlsKey} (paths of PEM files),
   * {@code user} and {@code passwordFile} (a path; passwords are never accepted inline),
   * {@code connectTimeoutMillis} and {@code timeoutMillis} (the request timeout). The path is the
   * key prefix, for example {@code /prod} for keys under {@code prod/}.
   *
   * @param uri the URI
   * @return the store; the caller closes it
   * @throws InvalidRequestException if the URI is malformed or names an unknown parameter
   */
  public static EtcdStore open(URI uri) {
    return EtcdUri.toBuilder(uri).build();
  }

  private Client newClient(EtcdStoreBuilder config, char[] password) {
    boolean tls = config.tlsCa != null;
    ClientBuilder builder = Client.builder()
        .endpoints(config.endpoints.stream().map(e -> (tls ? "https://" : "http://") + e).toArray(String[]::new))
        .connectTimeout(config.connectTimeoutOrDefault())
        .interceptor(new DeadlineInterceptor(requestTimeout));
    if (tls) {
      try {
        builder.sslContext(ssl -> {
          ssl.trustManager(config.tlsCa.toFile());
          if (config.tlsCert != null) {
            ssl.keyManager(config.tlsCert.toFile(), config.tlsKey.toFile());
          }
        });
      } catch (SSLException | RuntimeException e) {
        throw new InvalidRequestException("tls", "cannot use the TLS files "
            + List.of(config.tlsCa, String.valueOf(config.tlsCert), String.valueOf(config.tlsKey))
            + ": " + e.getClass().getSimpleName(), e);
      }
    }
    if (config.user != null) {
      builder.user(ByteSequence.from(config.user, StandardCharsets.UTF_8));
      java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      builder.password(ByteSequence.from(bytes));
      java.util.Arrays.fill(bytes, (byte) 0);
      if (encoded.hasArray()) {
        java.util.Arrays.fill(encoded.array(), (byte) 0);
      }
    }
    return builder.build();
  }

  @Override
  public String backend() {
    return backend;
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return readKeyValue(key).thenApply(found -> found.map(kv -> toVersioned(key, kv)));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    byte[] mine = value.clone();
    ByteSequence etcdKey = etcdKey(key);
    Cmp condition = precondition instanceof Precondition.AtVersion at
        ? new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(at.version()))
        : new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
    return write(key, precondition, mine,
        () -> kv.txn()
            .If(condition)
            .Then(Op.put(etcdKey, ByteSequence.from(mine), PutOption.DEFAULT))
            .Else(Op.get(etcdKey, GetOption.DEFAULT))
            .commit(),
        response -> response.isSucceeded()
            ? new CasResult.Applied(new Versioned<>(key, mine, response.getHeader().getRevision()))
            : new CasResult.Conflict(firstValue(key, response)));
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    Precondition.AtVersion at = StoreKeys.validateDelete(key, precondition);
    ByteSequence etcdKey = etcdKey(key);
    return write(key, precondition, null,
        () -> kv.txn()
            .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(at.version())))
            .Then(Op.delete(etcdKey, DeleteOption.builder().withPrevKV(true).build()))
            .Else(Op.get(etcdKey, GetOption.DEFAULT))
            .commit(),
        response -> {
          if (!response.isSucceeded()) {
            return new CasResult.Conflict(firstValue(key, response));
          }
          List<KeyValue> previous = response.getDeleteResponses().get(0).getPrevKvs();
          if (previous.isEmpty()) {
            throw new StoreUnavailableException(backend, key, false,
                "etcd deleted at version " + at.version() + " but returned no previous value", null);
          }
          return new CasResult.Applied(toVersioned(key, previous.get(0)));
        });
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    GetOption option = GetOption.builder()
        .isPrefix(true)
        .withSortField(GetOption.SortTarget.KEY)
        .withSortOrder(GetOption.SortOrder.ASCEND)
        .build();
    return withTimeout(() -> kv.get(etcdKey(prefix), option))
        .handle((response, failure) -> {
          if (failure != null) {
            throw readFailure(prefix, failure);
          }
          List<Versioned<byte[]>> values = new ArrayList<>();
          for (KeyValue found : response.getKvs()) {
            storeKey(found.getKey()).ifPresent(k -> values.add(toVersioned(k, found)));
          }
          return values;
        });
  }

  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    if (closed) {
      throw new StoreClosedException(backend);
    }
    return watches.subscribe(scope, listener, executor);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    watches.close();
    client.close();
  }

  EtcdWatchHub watchesForTest() {
    return watches;
  }

  @Override
  public String toString() {
    return "EtcdStore[" + backend + "]";
  }

  // ---- writes and their unknown outcomes ----

  private CompletableFuture<CasResult> write(String key, Precondition precondition, byte[] mine,
      Supplier<CompletableFuture<TxnResponse>> txn, Function<TxnResponse, CasResult> onAnswer) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    CompletableFuture<CasResult> result = new CompletableFuture<>();
    withTimeout(txn).whenComplete((response, failure) -> {
      if (failure == null) {
        try {
          result.complete(onAnswer.apply(response));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      } else if (closed || EtcdErrors.isClosedClient(failure)) {
        result.completeExceptionally(new StoreClosedException(backend));
      } else if (!EtcdErrors.outcomeUnknown(failure)) {
        result.completeExceptionally(new StoreUnavailableException(backend, key, false,
            "etcd rejected the write (" + precondition + "): " + EtcdErrors.describe(failure), failure));
      } else {
        // No answer: the write may or may not have been applied. Settle it with one re-read; never retry it.
        readKeyValue(key).whenComplete((current, reReadFailure) ->
            settle(result, key, precondition, mine, failure, current, reReadFailure));
      }
    });
    return result;
  }

  private void settle(CompletableFuture<CasResult> result, String key, Precondition precondition, byte[] mine,
      Throwable failure, Optional<KeyValue> current, Throwable reReadFailure) {
    String why = "the write (" + precondition + ") failed with " + EtcdErrors.describe(failure);
    if (reReadFailure != null) {
      result.completeExceptionally(new StoreUnavailableException(backend, key, true,
          why + " and the re-read failed with " + EtcdErrors.describe(reReadFailure), failure));
      return;
    }
    Optional<CasResult> settled = WriteOutcomes.settle(key, precondition, mine, current);
    if (settled.isEmpty()) {
      result.completeExceptionally(new StoreUnavailableException(backend, key, true,
          why + "; a re-read cannot tell whether it was applied (it may still be)", failure));
      return;
    }
    LOG.debug("settled the write to '{}' in {} after {}: {}", key, backend, EtcdErrors.describe(failure),
        settled.get().applied() ? "applied" : "not applied");
    result.complete(settled.get());
  }

  // ---- reads ----

  private CompletableFuture<Optional<KeyValue>> readKeyValue(String key) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    return withTimeout(() -> kv.get(etcdKey(key), GetOption.builder().withSerializable(false).build()))
        .handle((response, failure) -> {
          if (failure != null) {
            throw readFailure(key, failure);
          }
          return response.getKvs().isEmpty() ? Optional.<KeyValue>empty() : Optional.of(response.getKvs().get(0));
        });
  }

  private RuntimeException readFailure(String key, Throwable failure) {
    if (closed || EtcdErrors.isClosedClient(failure)) {
      return new StoreClosedException(backend);
    }
    return new StoreUnavailableException(backend, key, false, "read failed: " + EtcdErrors.describe(failure), failure);
  }

  private Optional<Versioned<byte[]>> firstValue(String key, TxnResponse response) {
    List<KeyValue> found = response.getGetResponses().isEmpty() ? List.of() : response.getGetResponses().get(0).getKvs();
    return found.isEmpty() ? Optional.empty() : Optional.of(toVersioned(key, found.get(0)));
  }

  // ---- helpers ----

  <T> CompletableFuture<T> withTimeout(Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> started;
    try {
      started = call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // A local backstop a little after the gRPC deadline, for calls that never reach the channel.
    return started.orTimeout(requestTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
  }

  private ByteSequence etcdKey(String key) {
    return ByteSequence.from(keyPrefix + key, StandardCharsets.UTF_8);
  }

  private Optional<String> storeKey(ByteSequence etcdKey) {
    String full = etcdKey.toString(StandardCharsets.UTF_8);
    return full.startsWith(keyPrefix) && full.length() > keyPrefix.length()
        ? Optional.of(full.substring(keyPrefix.length()))
        : Optional.empty();
  }

  static Versioned<byte[]> toVersioned(String key, KeyValue found) {
    return new Versioned<>(key, found.getValue().getBytes(), found.getModRevision());
  }

}
