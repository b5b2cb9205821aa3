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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test store: while holding, a {@code get} reads the delegate at once but its reply is held until the
 * test releases it, and then completes on a new thread of its own ({@code store-io-N}), as a backend's
 * I/O thread completes a read. Subscription events are swallowed while holding, so only the held
 * reads move the replica.
 */
final class HeldReadsStore implements VersionedStore {
  /** A read whose reply is held. */
  record HeldRead(Versioned<byte[]> value, CompletableFuture<Optional<Versioned<byte[]>>> reply) {
    /** Completes the read on a new thread named {@code threadName}. */
    Thread release(String threadName) {
      Thread thread = new Thread(() -> reply.complete(Optional.ofNullable(value)), threadName);
      thread.start();
      return thread;
    }
  }

  private final VersionedStore delegate;
  private final BlockingQueue<HeldRead> held = new LinkedBlockingQueue<>();
  private volatile boolean holding;

  HeldReadsStore(VersionedStore delegate) {
    this.delegate = delegate;
  }

  void hold(boolean hold) {
    this.holding = hold;
  }

  /** Returns the next held read, waiting at most 10 s. */
  HeldRead nextHeld() throws InterruptedException {
    HeldRead read = held.poll(10, TimeUnit.SECONDS);
    if (read == null) {
      throw new AssertionError("no read was held within 10 s");
    }
    return read;
  }

  @Override
  public String backend() {
    return "held-reads " + delegate.backend();
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    if (!holding) {
      return delegate.get(key);
    }
    Versioned<byte[]> now = delegate.get(key).join().orElse(null);
    CompletableFuture<Optional<Versioned<byte[]>>> reply = new CompletableFuture<>();
    held.add(new HeldRead(now, reply));
    return reply;
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
    return delegate.subscribe(scope, (key, state) -> {
      if (!holding) {
        listener.onState(key, state);
      }
    }, executor);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
