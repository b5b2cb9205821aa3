package io.oneca.samples.cloudcore.join;

import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join-token revocation list every replica shares: one record in the replicas' {@link
 * VersionedStore} (by default at {@value #DEFAULT_KEY}) holding the ids of revoked tokens with their
 * expiry.
 *
 * <h2>Propagation</h2>
 * {@link #revoke} writes with compare-and-set (at most {@value #MAX_ATTEMPTS} attempts, each from
 * the version it read, so concurrent revocations on different replicas all survive) and is
 * effective on the revoking replica when it returns. Every other replica follows the record with a
 * store subscription plus a read at {@link #start}: a revocation is effective there <b>once its
 * subscription delivers the new version</b> (typically milliseconds; while a replica is cut off
 * from the store it keeps its last list and may still accept the token). Entries are pruned when
 * their token expires (an expired token is refused anyway), at the next revocation.
 *
 * <h2>Failure</h2>
 * A stored record this class cannot parse is never overwritten: {@link #revoke} throws {@link
 * UnreadableRecordException} and {@link #isRevoked} fails closed with the same exception until a
 * readable newer version appears, so no token is accepted while the list is unknown. Deleting the
 * record does not un-revoke tokens on running replicas (they keep their entries until the tokens
 * expire or the replica restarts); the next revocation writes a fresh record. A revocation whose
 * write outcome is unknown is settled by a re-read; if that fails too it throws {@link
 * StoreUnavailableException} with {@code writeOutcomeUnknown() == true}. Thread-safe.
 */
public final class TokenRevocations implements AutoCloseable {
  /** The default store key. */
  public static final String DEFAULT_KEY = "cloudcore/revoked-join-tokens";
  /** The most unexpired revocations one list holds (about 300 KiB); rotate the token key beyond that. */
  public static final int MAX_ENTRIES = 8192;
  /** Compare-and-set attempts per revocation. */
  public static final int MAX_ATTEMPTS = 8;
  /** How long one store operation may take before it counts as unavailable. */
  public static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(TokenRevocations.class);

  private final VersionedStore store;
  private final String key;
  private final InstantSource clock;
  private volatile State state = new State(0, RevocationList.EMPTY, null);
  private volatile Subscription subscription;

  /** What this replica uses: the newest version seen, its list, and why it could not be read (or null). */
  private record State(long version, RevocationList list, UnreadableRecordException problem) {}

  private TokenRevocations(VersionedStore store, String key, InstantSource clock) {
    this.store = store;
    this.key = key;
    this.clock = clock;
  }

  /**
   * Reads the list and follows it, judging expiry by the system clock.
   *
   * @see #start(VersionedStore, String, Executor, InstantSource)
   */
  public static TokenRevocations start(VersionedStore store, String key, Executor executor) {
    return start(store, key, executor, InstantSource.system());
  }

  /**
   * Reads the list (waiting at most {@link #OPERATION_TIMEOUT}) and subscribes to it. An unreadable
   * record does not fail the start: it is logged and {@link #isRevoked} fails closed.
   *
   * @param store the replicas' shared store; not closed by {@link #close()}
   * @param key the record's key, for example {@link #DEFAULT_KEY}
   * @param executor runs the subscription listener
   * @param clock judges which entries have expired
   * @return the running follower
   * @throws StoreUnavailableException if the first read fails
   * @throws io.oneca.api.InvalidRequestException if the key is not a valid store key
   */
  public static TokenRevocations start(VersionedStore store, String key, Executor executor, InstantSource clock) {
    Objects.requireNonNull(store, "store");
    StoreKeys.validateKey(key);
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(clock, "clock");
    TokenRevocations revocations = new TokenRevocations(store, key, clock);
    revocations.await(store.get(key), false).ifPresent(revocations::offer);
    revocations.subscription = store.subscribe(KeyScope.key(key), (k, value) -> {
      try {
        value.ifPresent(revocations::offer);
      } catch (RuntimeException e) {
        LOG.error("Could not apply revocation list '{}' from {}", key, store.backend(), e);
      }
    }, executor);
    return revocations;
  }

  /**
   * Revokes a token until it expires.
   *
   * @param token the token's verified content
   * @see #revoke(String, Instant)
   */
  public void revoke(JoinToken token) {
    Objects.requireNonNull(token, "token");
    revoke(token.id(), token.expiresAt());
  }

  /**
   * Revokes a token by id. Idempotent; a token that has already expired needs no entry and writes
   * nothing.
   *
   * @param id the token's id ({@link JoinToken#id()})
   * @param expiresAt the token's expiry, after which the entry is pruned
   * @throws IllegalArgumentException if {@code id} is not a token id
   * @throws UnreadableRecordException if the stored list cannot be parsed; it is left as it is
   * @throws StoreUnavailableException if the store cannot be reached; {@code writeOutcomeUnknown()}
   *     when a write was sent and a re-read could not tell whether it applied
   * @throws OneCaException if the list is full or every attempt lost a race
   */
  public void revoke(String id, Instant expiresAt) {
    if (!JoinToken.isValidId(id)) {
      throw new IllegalArgumentException("token id must be " + JoinToken.ID_LENGTH + " lowercase hex characters");
    }
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (!expiresAt.isAfter(clock.instant())) {
      return;
    }
    Optional<Versioned<byte[]>> current = await(store.get(key), false);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      RevocationList list = current.map(this::decodeAndOffer).orElse(RevocationList.EMPTY);
      if (list.contains(id)) {
        return;
      }
      RevocationList next = list.prunedAt(clock.instant()).with(id, expiresAt);
      if (next.entries().size() > MAX_ENTRIES) {
        throw new OneCaException("revocation list '" + key + "' in " + store.backend() + " already holds " + MAX_ENTRIES
            + " unexpired entries; rotate the join token key instead of revoking more tokens");
      }
      Precondition precondition = current.map(v -> Precondition.atVersion(v.version())).orElse(Precondition.absent());
      CasResult result;
      try {
        result = await(store.compareAndSet(key, precondition, next.encode()), true);
      } catch (StoreUnavailableException e) {
        if (!e.writeOutcomeUnknown()) {
          throw e;
        }
        current = settle(id, e);
        if (current.isPresent() && decodeAndOffer(current.get()).contains(id)) {
          return;
        }
        continue;
      }
      if (result instanceof CasResult.Applied applied) {
        offer(applied.value());
        LOG.info("Revoked join token {} (expires {}) in '{}' at version {}", id, expiresAt, key,
            applied.value().version());
        return;
      }
      current = ((CasResult.Conflict) result).current();
    }
    throw new OneCaException("revocation of join token " + id + " in '" + key + "' at " + store.backend()
        + " lost " + MAX_ATTEMPTS + " compare-and-set races in a row; try again");
  }

  /**
   * Returns whether a token id is on the list this replica holds.
   *
   * @param id the token id
   * @return whether it is revoked
   * @throws UnreadableRecordException if the newest stored list could not be parsed (fail closed)
   */
  public boolean isRevoked(String id) {
    State current = state;
    if (current.problem() != null) {
      throw current.problem();
    }
    return current.list().contains(id);
  }

  /** Returns why the newest stored list cannot be used, if it cannot. */
  public Optional<UnreadableRecordException> problem() {
    return Optional.ofNullable(state.problem());
  }

  /** Returns the store version of the newest list seen, or 0 if the record does not exist yet. */
  public long version() {
    return state.version();
  }

  /** Returns the number of entries in the list in use (expired ones included until pruned). */
  public int size() {
    return state.list().entries().size();
  }

  /** Stops following the record. Does not close the store. Idempotent. */
  @Override
  public void close() {
    Subscription current = subscription;
    if (current != null) {
      current.close();
    }
  }

  @Override
  public String toString() {
    State current = state;
    return "TokenRevocations[key=" + key + ", store=" + store.backend() + ", version=" + current.version()
        + ", entries=" + current.list().entries().size() + (current.problem() == null ? "" : ", UNREADABLE") + "]";
  }

  /** Applies a stored version if it is newer than the one in use; never goes backwards. */
  private synchronized void offer(Versioned<byte[]> stored) {
    if (stored.version() <= state.version()) {
      return;
    }
    Optional<RevocationList> list = RevocationList.decode(stored.value(), MAX_ENTRIES);
    if (list.isPresent()) {
      state = new State(stored.version(), list.get(), null);
    } else {
      UnreadableRecordException problem = unreadable(stored);
      LOG.error("{}; refusing every join token until it is fixed", problem.getMessage());
      state = new State(stored.version(), state.list(), problem);
    }
  }

  private RevocationList decodeAndOffer(Versioned<byte[]> stored) {
    offer(stored);
    return RevocationList.decode(stored.value(), MAX_ENTRIES).orElseThrow(() -> unreadable(stored));
  }

  private UnreadableRecordException unreadable(Versioned<byte[]> stored) {
    return new UnreadableRecordException(store.backend(), key, stored.version(),
        "not a join token revocation list (" + RevocationList.HEADER + ", at most " + MAX_ENTRIES + " entries)", null);
  }

  /** Re-reads after a write with an unknown outcome; a failed re-read leaves the outcome unknown. */
  private Optional<Versioned<byte[]>> settle(String id, StoreUnavailableException writeFailure) {
    try {
      return await(store.get(key), false);
    } catch (RuntimeException e) {
      StoreUnavailableException unknown = new StoreUnavailableException(store.backend(), key, true,
          "revocation of join token " + id + " may or may not have been written, and the re-read failed", e);
      unknown.addSuppressed(writeFailure);
      throw unknown;
    }
  }

  private <T> T await(CompletableFuture<T> future, boolean write) {
    try {
      return future.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException(store.backend(), key, write, "interrupted while waiting for the store", e);
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(store.backend(), key, write, "no answer within " + OPERATION_TIMEOUT, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof OneCaException oneCa) {
        throw oneCa;
      }
      throw new StoreUnavailableException(store.backend(), key, write, "operation failed: " + cause, cause);
    }
  }
}
