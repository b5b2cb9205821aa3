package io.oneca.cli;

import io.oneca.api.OneCaException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A view of a store that lets commands reuse {@code OneCa}'s bootstrap without ever creating a CA:
 * create-if-absent writes are refused (a missing record stays missing) except for lineage evidence,
 * and in read-only mode every write is.
 */
final class GuardedStore implements VersionedStore {
  /**
   * Keys of lineage evidence ({@code <caKey>.lineage}): creating one records that the CA exists, it
   * never creates a CA, so a command's bootstrap may backfill it.
   */
  private static final String LINEAGE_SUFFIX = ".lineage";

  private final VersionedStore delegate;
  private final boolean readOnly;

  private GuardedStore(VersionedStore delegate, boolean readOnly) {
    this.delegate = delegate;
    this.readOnly = readOnly;
  }

  /** Refuses every write (export). */
  static GuardedStore readOnly(VersionedStore delegate) {
    return new GuardedStore(delegate, true);
  }

  /** Refuses only create-if-absent, so replace-at-version writes (rotation) go through. */
  static GuardedStore neverCreate(VersionedStore delegate) {
    return new GuardedStore(delegate, false);
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    return delegate.get(key);
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    if (readOnly) {
      return CompletableFuture.failedFuture(new OneCaException("refusing to write key '" + key + "' in "
          + delegate.backend() + ": this command only reads"));
    }
    if (!(precondition instanceof Precondition.AtVersion) && !key.endsWith(LINEAGE_SUFFIX)) {
      return CompletableFuture.failedFuture(new OneCaException("refusing to create key '" + key + "' in "
          + delegate.backend() + ": the CA record is missing, and this command never creates a CA"));
    }
    return delegate.compareAndSet(key, precondition, value);
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    return CompletableFuture.failedFuture(new OneCaException("refusing to delete key '" + key + "' in "
        + delegate.backend() + ": the CLI never deletes a CA record"));
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    return delegate.subscribe(scope, listener, executor);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
