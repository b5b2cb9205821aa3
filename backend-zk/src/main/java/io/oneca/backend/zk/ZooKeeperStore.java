package io.oneca.backend.zk;

import io.oneca.api.StoreClosedException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.SubscriptionRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VersionedStore} on Apache ZooKeeper, through Apache Curator: lets OneCA replicas that
 * already run next to a ZooKeeper ensemble (Kafka, HBase, Solr, ...) agree on one CA without
 * another moving part.
 *
 * <h2>Mapping</h2>
 * <ul>
 *   <li>A key is a znode under the namespace node: key {@code oneca/prod/ca} with namespace
 *       {@code oneca} is znode {@code /oneca/oneca/prod/ca}. A key and a key below it ({@code a} and
 *       {@code a/b}) can both hold values: a znode may have data and children.
 *   <li>The znode's data is one format byte followed by the value; a znode with no data holds no
 *       value (a parent created for a deeper key, or a key deleted while it had children) and is not
 *       reported as a key. Parents are persistent znodes, never containers: ZooKeeper deletes an
 *       empty container even if it holds data, which would silently lose a value.
 *   <li>The {@linkplain Versioned#version() version} is the znode's {@code mzxid}, which increases
 *       across delete and re-create ({@code Stat.version} does not).
 * </ul>
 *
 * <h2>Guarantees</h2>
 * Every read starts with {@code sync}, so reads are linearizable. Create-if-absent is
 * {@code create} (an existing value is a {@link CasResult.Conflict} carrying it); replace and delete
 * check the version, then write with {@code withVersion(stat.version)}. Writes are sent once on the
 * raw ZooKeeper handle, never through Curator's retry loop: when a write's reply is lost
 * (ConnectionLoss, session moved or expired) the key is re-read to settle the outcome. Our bytes at
 * a newer version mean applied; the precondition's version unchanged means not applied (a
 * {@link io.oneca.api.StoreUnavailableException} that is safe to retry); otherwise a conflict; and
 * if the key cannot be re-read, a {@code StoreUnavailableException} with
 * {@code writeOutcomeUnknown() == true}. Subscriptions use persistent recursive watches, re-read
 * on every event and after every reconnect or new session (see {@link #subscribe}).
 *
 * <h2>Access control</h2>
 * With {@linkplain ZooKeeperStoreBuilder#credentials digest credentials} every znode the store
 * creates gets an ACL that gives all rights to that identity only (optionally read to anyone), so
 * clients without them cannot change or delete the CA record; they get a
 * {@link ZooKeeperAccessDeniedException} naming the key.
 *
 * <p>Create one with {@link #builder()} or, by URI, with
 * {@link io.oneca.api.store.Stores#open(String) Stores.open("zk://host:2181/oneca")}.
 */
public final class ZooKeeperStore implements VersionedStore {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperStore.class);
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final CuratorFramework client;
  private final boolean ownsClient;
  private final String backend;
  private final boolean hasCredentials;
  private final Operations ops;
  private final Listing listing;
  private final SubscriptionRegistry registry;
  private final Watches watches;
  private final ExecutorService io;
  private final ScheduledExecutorService worker;
  private volatile boolean closed;

  ZooKeeperStore(CuratorFramework client, boolean ownsClient, Operations ops, ExecutorService io,
      ScheduledExecutorService worker) {
    this(client, ownsClient, ops, io, worker, java.util.function.UnaryOperator.identity());
  }

  /** As above, with the subscriptions' reads wrapped; for tests that make reads fail. */
  ZooKeeperStore(CuratorFramework client, boolean ownsClient, Operations ops, ExecutorService io,
      ScheduledExecutorService worker, java.util.function.UnaryOperator<SubscriptionReads> readDecorator) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.ops = ops;
    this.backend = ops.backend();
    this.hasCredentials = ops.hasCredentials();
    this.listing = new Listing(ops);
    this.registry = new SubscriptionRegistry(backend);
    this.io = io;
    this.worker = worker;
    SubscriptionReads reads = new SubscriptionReads() {
      @Override
      public Optional<Versioned<byte[]>> get(String key) throws Exception {
        return ops.get(key);
      }

      @Override
      public List<Versioned<byte[]>> list(String prefix) throws Exception {
        return listing.list(prefix);
      }
    };
    this.watches = new Watches(client, ops, readDecorator.apply(reads), registry, worker);
    client.getConnectionStateListenable().addListener(watches, worker);
  }

  /**
   * Returns a builder. The connect string (or a provided Curator client) is required.
   *
   * @return a new builder
   */
  public static ZooKeeperStoreBuilder builder() {
    return new ZooKeeperStoreBuilder();
  }

  /** Returns {@code zk://<connect string>/<namespace>}; never contains credentials. */
  @Override
  public String backend() {
    return backend;
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return submit(key, "get", () -> ops.get(key));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    byte[] copy = value.clone();
    return submit(key, "compareAndSet", () -> ops.compareAndSet(key, precondition, copy));
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    Precondition.AtVersion at = StoreKeys.validateDelete(key, precondition);
    return submit(key, "delete", () -> ops.delete(key, at.version()));
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    return submit(prefix, "list", () -> listing.list(prefix));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A persistent recursive watch on the key's znode (or the prefix's directory znode) reports
   * changes; each is answered with a fresh linearizable read, published in order. After a reconnect,
   * or a new session after expiry, every active scope is re-read and published as a snapshot, so
   * deletions and changes made in between are delivered.
   */
  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    if (closed) {
      throw new StoreClosedException(backend);
    }
    return watches.subscribe(scope, listener, executor);
  }

  /**
   * Closes the subscriptions, stops this store's threads and, unless the Curator client was
   * provided by the caller, closes the client. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    registry.closeAll();
    client.getConnectionStateListenable().removeListener(watches);
    io.shutdown();
    try {
      worker.execute(watches::removeAll);
    } catch (RejectedExecutionException e) {
      // Already stopping.
    }
    worker.shutdown();
    try {
      if (!io.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        io.shutdownNow();
      }
      if (!worker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      io.shutdownNow();
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (ownsClient) {
      client.close();
    }
    LOG.debug("Closed ZooKeeper store {}", backend);
  }

  @Override
  public String toString() {
    return "ZooKeeperStore[" + backend + "]";
  }

  /** Settles an unknown write outcome as {@link #compareAndSet} does; for tests of that path. */
  CasResult settleForTest(String key, Precondition precondition, byte[] value, Exception lost) throws Exception {
    return ops.settle(key, precondition, value, lost);
  }

  /** Runs {@code hook} between the read and the write of every replace and delete; for tests of races. */
  void beforeConditionalWriteForTest(Runnable hook) {
    ops.beforeConditionalWriteForTest(hook);
  }

  CuratorFramework curator() {
    return client;
  }

  private <T> CompletableFuture<T> submit(String key, String operation, Callable<T> call) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      io.execute(() -> {
        try {
          result.complete(call.call());
        } catch (Exception e) {
          result.completeExceptionally(closed
              ? new StoreClosedException(backend)
              : Errors.translate(backend, key, operation, hasCredentials, e));
        } catch (Error e) {
          result.completeExceptionally(e);
          throw e;
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new StoreClosedException(backend));
    }
    return result;
  }
}
