package io.oneca.api.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A key-value store with versions and compare-and-set: the one thing OneCA needs from etcd,
 * ZooKeeper, Kubernetes or a local directory to give every replica the same CA. Nothing here is
 * PKI-specific.
 *
 * <h2>Guarantees every implementation gives</h2>
 * <ul>
 *   <li>Reads are linearizable: a read returns the latest write that completed before it started.
 *   <li>{@link #compareAndSet} is atomic: of any number of concurrent writers with the same
 *       precondition exactly one wins; the others get {@link CasResult.Conflict} with the winner.
 *   <li>{@link Versioned#version() Versions} strictly increase per key, across delete and re-create.
 *   <li>Subscriptions are level-triggered and never go backwards (see {@link StoreListener}).
 * </ul>
 *
 * <h2>Errors</h2>
 * Arguments are validated before any I/O: a key or value that breaks {@link StoreKeys}' rules throws
 * {@link io.oneca.api.InvalidRequestException} from the call itself. Everything else completes the
 * returned future exceptionally with a {@link io.oneca.api.OneCaException}:
 * {@link io.oneca.api.StoreUnavailableException} (transient; for writes check
 * {@code writeOutcomeUnknown()} and re-read), {@link io.oneca.api.UnreadableRecordException} (the
 * backend's own framing of the value is damaged), {@link io.oneca.api.StoreClosedException}.
 *
 * <p>Implementations are thread-safe. {@link #close()} closes this client, its subscriptions and
 * the resources it created, not the storage: other clients keep working.
 */
public interface VersionedStore extends AutoCloseable {

  /**
   * Returns a short description of the backend for messages and logs, for example
   * {@code file:/var/lib/oneca} or {@code etcd://10.0.0.1:2379/oneca}. Never contains credentials.
   */
  String backend();

  /**
   * Reads a key, linearizably.
   *
   * @param key the key
   * @return the value and version, or empty if the key does not exist
   */
  CompletableFuture<Optional<Versioned<byte[]>>> get(String key);

  /**
   * Writes a value if the precondition holds.
   *
   * @param key the key
   * @param precondition {@link Precondition#absent()} to create, or
   *     {@link Precondition#atVersion(long)} to replace the version the caller read
   * @param value at most {@link StoreKeys#MAX_VALUE_BYTES} bytes; not retained by the store
   * @return {@link CasResult.Applied} with the new version, or {@link CasResult.Conflict} with the
   *     current value
   */
  CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value);

  /**
   * Deletes a key if it is at the given version.
   *
   * @param key the key
   * @param precondition must be {@link Precondition#atVersion(long)}
   * @return {@link CasResult.Applied} with the deleted value, or {@link CasResult.Conflict} with
   *     the current value (empty if the key was already absent)
   * @throws io.oneca.api.InvalidRequestException if the precondition is {@code absent()}
   */
  CompletableFuture<CasResult> delete(String key, Precondition precondition);

  /**
   * Lists the keys under a prefix, linearizably.
   *
   * @param prefix the prefix, for example {@code oneca/tenants/}
   * @return the values, sorted by key
   */
  CompletableFuture<List<Versioned<byte[]>>> list(String prefix);

  /**
   * Subscribes to a key or prefix. The listener first receives the current state, then every newer
   * state it has not been superseded by (see {@link StoreListener}). After a lost connection or
   * a compacted history the backend re-reads and delivers the current state.
   *
   * @param scope the key or prefix
   * @param listener receives the states; calls never overlap
   * @param executor runs the listener; never a backend I/O thread
   * @return the subscription; close it to stop delivery
   */
  Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor);

  /**
   * Closes this client and its subscriptions. Idempotent. Later calls fail with
   * {@link io.oneca.api.StoreClosedException}.
   */
  @Override
  void close();
}
