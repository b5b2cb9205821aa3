package io.oneca.testkit;

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
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A {@link VersionedStore} that passes every call to a real store, except where a test told it to
 * fail: for testing what bootstrap, the cache and renewal do when the store is down, slow, or loses
 * the reply to a write that was applied.
 *
 * <p>Faults are programmed per {@link Operation}, take effect on the next call and are thread-safe:
 * <ul>
 *   <li>{@link #failNext(Operation, int)}: the next calls fail with a {@link StoreUnavailableException}
 *       without reaching the delegate, so nothing is read or written;
 *   <li>{@link #setUnavailable(boolean)}: every operation fails that way until switched off;
 *   <li>{@link #loseReplyOfNextWrites(int)}: the next compare-and-set calls <em>are applied</em> on the
 *       delegate, but the caller gets a {@link StoreUnavailableException} whose
 *       {@link StoreUnavailableException#writeOutcomeUnknown() writeOutcomeUnknown()} is {@code true},
 *       as when a connection drops after the server committed;
 *   <li>{@link #delayResponses(Duration)}: every reply (and injected failure) completes that much
 *       later, on a timer thread; no thread sleeps.
 * </ul>
 * {@link #calls(Operation)} counts the calls each operation received, so a test can assert that a
 * component retried, or did not.
 *
 * <p>The wrapper still keeps the store contract where the caller is concerned: an invalid key,
 * value or delete precondition throws {@link InvalidRequestException} from the call itself (and is
 * not counted), and after {@link #close()} calls fail with {@link StoreClosedException} whatever
 * faults are armed. {@link #subscribe} is passed through unchanged. An injected failure names the
 * delegate's {@link #backend()} and the key (or, for {@code list}, the prefix).
 *
 * <pre>{@code
 * FaultInjectingStore store = FaultInjectingStore.wrap(InMemoryStore.create());
 * store.loseReplyOfNextWrites(1);
 * BootstrapResult result = bootstrap(store);   // must re-read and adopt its own applied candidate
 * assertThat(store.calls(Operation.COMPARE_AND_SET)).isEqualTo(1);
 * }</pre>
 */
public final class FaultInjectingStore implements VersionedStore {

  /** The operations faults can be programmed for. */
  public enum Operation {
    /** {@link VersionedStore#get}. */
    GET,
    /** {@link VersionedStore#compareAndSet}. */
    COMPARE_AND_SET,
    /** {@link VersionedStore#delete}. */
    DELETE,
    /** {@link VersionedStore#list}. */
    LIST
  }

  private static final String INJECTED = "injected fault";
  private static final String REPLY_LOST = "injected fault: reply lost after the write was applied";

  private final VersionedStore delegate;
  private final AtomicIntegerArray failuresLeft = new AtomicIntegerArray(Operation.values().length);
  private final AtomicLongArray calls = new AtomicLongArray(Operation.values().length);
  private final AtomicInteger lostRepliesLeft = new AtomicInteger();
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean unavailable;
  private volatile boolean dropEvents;
  private final AtomicLong droppedEvents = new AtomicLong();

  private FaultInjectingStore(VersionedStore delegate) {
    this.delegate = delegate;
  }

  /**
   * Wraps a store. No fault is armed until a test arms one. Closing the wrapper closes the delegate.
   *
   * @param delegate the real store
   * @return the wrapper
   */
  public static FaultInjectingStore wrap(VersionedStore delegate) {
    return new FaultInjectingStore(Objects.requireNonNull(delegate, "delegate"));
  }

  /** Returns the wrapped store, for reading or writing past the faults. */
  public VersionedStore delegate() {
    return delegate;
  }

  /**
   * Makes the next {@code times} calls of {@code operation} fail with a
   * {@link StoreUnavailableException} (writeOutcomeUnknown {@code false}) without reaching the
   * delegate. Replaces any count still left for that operation; {@code 0} disarms it.
   *
   * @param operation the operation
   * @param times how many calls fail; not negative
   * @throws IllegalArgumentException if {@code times} is negative
   */
  public void failNext(Operation operation, int times) {
    Objects.requireNonNull(operation, "operation");
    requireNotNegative("times", times);
    failuresLeft.set(operation.ordinal(), times);
  }

  /**
   * While {@code true}, every {@code get}, {@code compareAndSet}, {@code delete} and {@code list}
   * fails with a {@link StoreUnavailableException} without reaching the delegate. Subscriptions are
   * unaffected. Counted {@link #failNext} failures are not consumed meanwhile.
   *
   * @param unavailable whether the store is down
   */
  public void setUnavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /**
   * Makes the next {@code writes} {@code compareAndSet} calls reach the delegate (so they are
   * applied when their precondition holds) and then report a {@link StoreUnavailableException}
   * with {@code writeOutcomeUnknown() == true} instead of the result. Replaces any count still left;
   * {@code 0} disarms it. A {@link #failNext} failure for compare-and-set takes precedence: a write
   * that never reached the store does not use up a lost reply.
   *
   * @param writes how many replies are lost; not negative
   * @throws IllegalArgumentException if {@code writes} is negative
   */
  public void loseReplyOfNextWrites(int writes) {
    requireNotNegative("writes", writes);
    lostRepliesLeft.set(writes);
  }

  /**
   * Delays the completion of every later future this store returns by {@code delay}, using
   * {@link CompletableFuture#delayedExecutor}. The delegate is still called at once: a delayed
   * write is applied on time and only its reply is late. {@link Duration#ZERO} turns delays off.
   *
   * @param delay how long replies are held back; not negative
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public void delayResponses(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    this.delay.set(delay);
  }

  /**
   * While {@code true}, subscription deliveries are swallowed: listeners of every subscription (made
   * before or after) miss the states the delegate delivers meanwhile, as when a watch stream
   * silently stalls or an event is lost. Turning it off does not replay what was dropped.
   *
   * @param drop whether to drop deliveries
   */
  public void dropEvents(boolean drop) {
    this.dropEvents = drop;
  }

  /** Returns how many subscription deliveries were swallowed by {@link #dropEvents}. */
  public long droppedEvents() {
    return droppedEvents.get();
  }

  /** Disarms every fault and delay. Call counts are kept. */
  public void reset() {
    dropEvents = false;
    for (Operation operation : Operation.values()) {
      failuresLeft.set(operation.ordinal(), 0);
    }
    lostRepliesLeft.set(0);
    delay.set(Duration.ZERO);
    unavailable = false;
  }

  /**
   * Returns how many calls {@code operation} received with valid arguments while open, including
   * those that failed by injection.
   *
   * @param operation the operation
   * @return the count so far
   */
  public long calls(Operation operation) {
    return calls.get(Objects.requireNonNull(operation, "operation").ordinal());
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return call(Operation.GET, key, () -> delegate.get(key));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    return call(Operation.COMPARE_AND_SET, key, () -> {
      if (lostRepliesLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
        return delegate.compareAndSet(key, precondition, value);
      }
      CompletableFuture<CasResult> reply = new CompletableFuture<>();
      delegate.compareAndSet(key, precondition, value).whenComplete((result, failure) -> reply.completeExceptionally(
          new StoreUnavailableException(backend(), key, true, REPLY_LOST, failure == null ? null : unwrap(failure))));
      return reply;
    });
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    StoreKeys.validateDelete(key, precondition);
    return call(Operation.DELETE, key, () -> delegate.delete(key, precondition));
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    return call(Operation.LIST, prefix, () -> delegate.list(prefix));
  }

  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    if (closed.get()) {
      throw new StoreClosedException(backend());
    }
    Objects.requireNonNull(listener, "listener");
    return delegate.subscribe(scope, (key, state) -> {
      if (dropEvents) {
        droppedEvents.incrementAndGet();
      } else {
        listener.onState(key, state);
      }
    }, executor);
  }

  /** Closes the delegate. Idempotent; later calls fail with {@link StoreClosedException}. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      delegate.close();
    }
  }

  @Override
  public String toString() {
    return "FaultInjectingStore[" + delegate + "]";
  }

  private <T> CompletableFuture<T> call(Operation operation, String key, Supplier<CompletableFuture<T>> real) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend()));
    }
    calls.incrementAndGet(operation.ordinal());
    CompletableFuture<T> reply;
    if (unavailable || failuresLeft.getAndUpdate(operation.ordinal(), n -> Math.max(0, n - 1)) > 0) {
      reply = CompletableFuture.failedFuture(new StoreUnavailableException(backend(), key, false, INJECTED, null));
    } else {
      reply = real.get();
    }
    return delayed(reply);
  }

  private <T> CompletableFuture<T> delayed(CompletableFuture<T> reply) {
    Duration wait = delay.get();
    if (wait.isZero()) {
      return reply;
    }
    Executor later = CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS);
    CompletableFuture<T> delayed = new CompletableFuture<>();
    reply.whenComplete((value, failure) -> later.execute(() -> {
      if (failure == null) {
        delayed.complete(value);
      } else {
        delayed.completeExceptionally(unwrap(failure));
      }
    }));
    return delayed;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static void requireNotNegative(String name, int count) {
    if (count < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + count);
    }
  }
}
