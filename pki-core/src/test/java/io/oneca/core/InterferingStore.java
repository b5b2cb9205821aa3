package io.oneca.core;

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

/** Test store: after each read of a present key, another writer rewrites it (same bytes, new version). */
final class InterferingStore implements VersionedStore {
  private final VersionedStore delegate;

  InterferingStore(VersionedStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public String backend() {
    return "interfering " + delegate.backend();
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    return delegate.get(key).thenCompose(read -> read.isEmpty()
        ? CompletableFuture.completedFuture(read)
        : delegate.compareAndSet(key, Precondition.atVersion(read.get().version()), read.get().value())
            .thenApply(ignored -> read));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    return delegate.compareAndSet(key, precondition, value);
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    return delegate.delete(key, precondition);
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
