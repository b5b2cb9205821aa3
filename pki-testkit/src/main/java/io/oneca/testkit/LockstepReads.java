package io.oneca.testkit;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the worst interleaving of a bootstrap race certain instead of likely: the first read of
 * each key by each of N wrapped clients is held until all N have asked, then all N reads run.
 * Every replica therefore sees the key absent and proposes its own CA, exactly as when replicas
 * start at the same instant on a fresh cluster. A correct bootstrap still converges on one CA; a
 * check-then-create bootstrap splits every time.
 *
 * <p>Only {@code get} is gated, only for the first {@code parties} reads of each key; everything else
 * passes straight to the wrapped client. A gate that does not fill within the timeout fails the
 * held reads with {@link StoreUnavailableException}, so a test never hangs. Holding uses futures,
 * not blocked threads.
 */
public final class LockstepReads {
  private final int parties;
  private final Duration timeout;
  private final Map<String, Gate> gates = new ConcurrentHashMap<>();

  private LockstepReads(int parties, Duration timeout) {
    this.parties = parties;
    this.timeout = timeout;
  }

  /**
   * Returns a coordinator for {@code parties} clients.
   *
   * @param parties how many reads of a key are held until they all arrive; at least 2
   * @param timeout how long a read may be held
   * @return the coordinator
   */
  public static LockstepReads forParties(int parties, Duration timeout) {
    if (parties < 2) {
      throw new IllegalArgumentException("parties must be at least 2, was " + parties);
    }
    return new LockstepReads(parties, Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * Wraps one client. Closing the wrapper closes the client.
   *
   * @param client the client; give each replica its own
   * @return the gated client
   */
  public VersionedStore wrap(VersionedStore client) {
    return new Gated(Objects.requireNonNull(client, "client"));
  }

  private static final class Gate {
    final AtomicInteger arrived = new AtomicInteger();
    final CompletableFuture<Void> open = new CompletableFuture<>();
  }

  private final class Gated implements VersionedStore {
    private final VersionedStore delegate;

    Gated(VersionedStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public String backend() {
      return delegate.backend();
    }

    @Override
    public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
      Gate gate = gates.computeIfAbsent(key, k -> new Gate());
      int position = gate.arrived.incrementAndGet();
      if (position > parties) {
        return delegate.get(key);
      }
      if (position == parties) {
        gate.open.complete(null);
      }
      return gate.open
          .copy()
          .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .handle((ignored, error) -> error)
          .thenCompose(error -> error == null
              ? delegate.get(key)
              : CompletableFuture.failedFuture(new StoreUnavailableException(delegate.backend(), key, false,
                  "lockstep gate did not fill: " + gate.arrived.get() + " of " + parties + " reads within " + timeout,
                  error)));
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
}
