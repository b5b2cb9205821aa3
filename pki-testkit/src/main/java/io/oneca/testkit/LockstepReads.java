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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes the worst interleaving of a bootstrap race certain instead of likely: the first read of
 * each key by each of N wrapped clients is held until all N have asked, then all N reads run.
 * Every replica therefore sees the key absent and proposes its own CA, exactly as when replicas
 * start at the same instant on a fresh cluster. A correct bootstrap still converges on one CA; a
 * check-then-create bootstrap splits every time.
 *
 * <p>Only {@code get} is gated, only for the first {@code parties} reads of each key; everything else
 * passes straight to the wrapped client. When the last party arrives, all held reads run, and only
 * when every one of them has completed are the replies released, so no party can write before
 * another has read. A gate that does not fill within the timeout fails the held reads with
 * {@link StoreUnavailableException}, so a test never hangs. Holding uses futures, not blocked threads.
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

  private record Held(VersionedStore client, CompletableFuture<Optional<Versioned<byte[]>>> reply) {}

  private static final class Gate {
    private final List<Held> held = new ArrayList<>();
    private int arrived;
  }

  /** Runs every held read, and only when all have completed releases their replies. */
  private static void release(String key, List<Held> held) {
    List<CompletableFuture<Optional<Versioned<byte[]>>>> reads = new ArrayList<>();
    for (Held h : held) {
      reads.add(h.client().get(key));
    }
    CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, error) -> {
      for (int i = 0; i < held.size(); i++) {
        CompletableFuture<Optional<Versioned<byte[]>>> read = reads.get(i);
        CompletableFuture<Optional<Versioned<byte[]>>> reply = held.get(i).reply();
        read.whenComplete((value, readError) -> {
          if (readError != null) {
            reply.completeExceptionally(readError);
          } else {
            reply.complete(value);
          }
        });
      }
    });
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
      CompletableFuture<Optional<Versioned<byte[]>>> reply = new CompletableFuture<>();
      List<Held> toRelease = null;
      int arrived;
      synchronized (gate) {
        arrived = ++gate.arrived;
        if (arrived <= parties) {
          gate.held.add(new Held(delegate, reply));
          if (arrived == parties) {
            toRelease = List.copyOf(gate.held);
          }
        }
      }
      if (arrived > parties) {
        return delegate.get(key);
      }
      if (toRelease != null) {
        release(key, toRelease);
      }
      CompletableFuture<Optional<Versioned<byte[]>>> result = new CompletableFuture<>();
      reply.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((value, error) -> {
        if (error == null) {
          result.complete(value);
        } else if (error instanceof TimeoutException) {
          int seen;
          synchronized (gate) {
            seen = gate.arrived;
          }
          result.completeExceptionally(new StoreUnavailableException(delegate.backend(), key, false,
              "lockstep gate did not fill: " + seen + " of " + parties + " reads within " + timeout, error));
        } else {
          result.completeExceptionally(error);
        }
      });
      return result;
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
