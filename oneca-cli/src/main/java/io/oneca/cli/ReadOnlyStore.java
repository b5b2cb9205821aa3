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
 * A view of a store that refuses every write, so that commands which only read (export) can reuse
 * {@code OneCa}'s bootstrap without ever creating a CA when the record is missing.
 */
final class ReadOnlyStore implements VersionedStore {
  private final VersionedStore delegate;

  ReadOnlyStore(VersionedStore delegate) {
    this.delegate = delegate;
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
    return CompletableFuture.failedFuture(new OneCaException("refusing to write key '" + key + "' in "
        + delegate.backend() + ": this command only reads, and the CA record is missing"));
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    return CompletableFuture.failedFuture(new OneCaException("refusing to delete key '" + key + "' in "
        + delegate.backend() + ": this command only reads"));
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
