package io.oneca.core.store;

import io.oneca.api.OneCaException;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A {@link VersionedStore} in a local directory: the embedded default for one host, where several
 * processes (for example three replicas and an operator CLI) share one directory. Any number of
 * instances, in one JVM or in many processes, may use the same directory at once.
 *
 * <h2>Layout</h2>
 * <pre>
 *   &lt;dir&gt;/store.lock          writers hold an exclusive file lock on it; its content is unused
 *   &lt;dir&gt;/revision            the store-wide counter: "OFR1" | u64 revision | u32 CRC32C
 *   &lt;dir&gt;/keys/&lt;file name&gt;    one file per key: "OFS1" | u64 version | u32 length | value | u32 CRC32C
 *   .tmp~*                      in either directory: a write in progress, or debris of a crashed one
 * </pre>
 * A key's file name is the key with {@code /} replaced by {@code +} (not a key character), so names
 * are at most {@value StoreKeys#MAX_KEY_LENGTH} characters. Integers are big-endian; each CRC32C
 * covers every byte before it. Temporary names contain {@code ~}, not a key character either, so a
 * key such as {@code .tmp-x} is never mistaken for debris. On a case-insensitive file system, keys
 * differing only in case share a file: use lowercase keys there. Where the file system supports
 * POSIX permissions, directories this store creates get mode 0700 and files 0600, since values hold
 * CA private keys; an existing directory keeps its mode. Local file systems only: file locks over
 * NFS are unreliable.
 *
 * <h2>Consistency</h2>
 * A write takes the lock (a JVM-wide lock per directory, then an exclusive file lock on
 * {@code store.lock}), reads the key, checks the precondition, writes the incremented revision,
 * then writes the value to a temporary file, syncs it, renames it over the key's file and syncs the
 * directory. A write's version is the new revision, so versions increase across delete and
 * re-create and survive restarts. Reading one key takes no lock, as a rename replaces a file
 * atomically; {@link #list} takes the lock. A value file whose framing is damaged fails reads and
 * writes of its key with {@link io.oneca.api.UnreadableRecordException} and is never overwritten; a
 * damaged or missing revision file (while keys exist) fails every write the same way, naming key
 * {@code revision}. Temporary files are removed when a store is opened.
 *
 * <h2>Threads</h2>
 * Every operation runs on the caller's thread and returns an already completed future. Changes made
 * by other instances and processes reach subscribers by polling: while there are subscriptions, the
 * revision file is read every poll interval and, when it changed, each subscribed key or prefix is
 * re-read. So subscribers see foreign changes within about one poll interval and this instance's
 * own writes at once.
 */
public final class FileSystemStore implements VersionedStore {
  private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
  private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
  private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(60);

  private final FsDirectory files;
  private final String backend;
  private final FsSubscriptions subscriptions;
  private volatile boolean closed;

  private FileSystemStore(FsDirectory files, Duration pollInterval, ScheduledExecutorService scheduler) {
    this.files = files;
    this.backend = files.backend();
    this.subscriptions = new FsSubscriptions(files, pollInterval, scheduler);
  }

  /**
   * Opens a store in {@code directory} with the defaults of {@link #builder(Path)}.
   *
   * @param directory the store directory; created with its parents if missing
   * @return the store
   * @throws StoreUnavailableException if the directory cannot be created or locked
   */
  public static FileSystemStore open(Path directory) {
    return builder(directory).build();
  }

  /**
   * Starts configuring a store in {@code directory}.
   *
   * @param directory the store directory; created with its parents if missing
   * @return a builder with every setting at its default
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Returns {@code file:} followed by the absolute path of the store directory. */
  @Override
  public String backend() {
    return backend;
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    StoreKeys.validateKey(key);
    return run(() -> files.read(key));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSet(String key, Precondition precondition, byte[] value) {
    StoreKeys.validateWrite(key, precondition, value);
    byte[] stored = value.clone();
    return run(() -> afterWrite(key, files.compareAndSet(key, precondition, stored)));
  }

  @Override
  public CompletableFuture<CasResult> delete(String key, Precondition precondition) {
    StoreKeys.validateDelete(key, precondition);
    return run(() -> afterWrite(key, files.delete(key, precondition)));
  }

  @Override
  public CompletableFuture<List<Versioned<byte[]>>> list(String prefix) {
    StoreKeys.validatePrefix(prefix);
    return run(() -> files.read(KeyScope.prefix(prefix)));
  }

  /** Runs a file operation on the caller's thread; store failures go into the future, not the caller. */
  private <T> CompletableFuture<T> run(Supplier<T> operation) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreClosedException(backend));
    }
    try {
      return CompletableFuture.completedFuture(operation.get());
    } catch (OneCaException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CasResult afterWrite(String key, CasResult result) {
    if (result.applied()) {
      subscriptions.afterOwnWrite(key);
    }
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The current state is read on the caller's thread. If that read fails (the file is damaged
   * or unreadable) the failure is logged and the read is retried at every poll until it succeeds.
   *
   * @throws StoreClosedException if this store is closed
   * @throws StoreUnavailableException if the scheduler rejects the poll task
   */
  @Override
  public Subscription subscribe(KeyScope scope, StoreListener listener, Executor executor) {
    Objects.requireNonNull(scope, "scope");
    if (closed) {
      throw new StoreClosedException(backend);
    }
    return subscriptions.subscribe(scope, listener, executor);
  }

  /**
   * Closes this instance: its subscriptions, its polling, and the scheduler if the store created it.
   * Waits for a poll in progress to finish (unless called from a listener that runs inside a
   * delivery). The data stays. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    subscriptions.close();
  }

  @Override
  public String toString() {
    return "FileSystemStore[" + backend + "]";
  }

  /**
   * Configures a {@link FileSystemStore}. Each setting may be set at most once; unset settings keep
   * the defaults stated on each setter.
   */
  public static final class Builder {
    private final Path directory;
    private Duration pollInterval;
    private ScheduledExecutorService scheduler;
    private Boolean fsync;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * Sets how often the revision file is checked for changes made by other instances and
     * processes while there are subscriptions. Shorter intervals deliver foreign changes sooner at
     * the cost of one small file read per interval. Default: 200 ms.
     *
     * @param pollInterval from 10 ms to 60 s
     * @return this builder
     * @throws IllegalStateException if the poll interval was already set
     * @throws IllegalArgumentException if the interval is outside 10 ms to 60 s
     */
    public Builder pollInterval(Duration pollInterval) {
      Objects.requireNonNull(pollInterval, "pollInterval");
      requireUnset(this.pollInterval, "pollInterval");
      if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
        throw new IllegalArgumentException("pollInterval must be from 10 ms to 60 s, was " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * Sets the scheduler that runs the poll task. An injected scheduler is not shut down when the
     * store closes. Default: the store creates one daemon thread named {@code oneca-fs-poll} (when
     * the first subscription starts polling) and shuts it down on {@link FileSystemStore#close()}.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws IllegalStateException if the scheduler was already set
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      requireUnset(this.scheduler, "scheduler");
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Sets whether writes are synced to the storage device (the temporary file before the rename
     * and the directory after it). Without syncing, a power loss can lose or damage recent writes;
     * turn it off only for tests and throw-away data. Default: {@code true}.
     *
     * @param fsync whether to sync
     * @return this builder
     * @throws IllegalStateException if fsync was already set
     */
    public Builder fsync(boolean fsync) {
      requireUnset(this.fsync, "fsync");
      this.fsync = fsync;
      return this;
    }

    /**
     * Opens the store: creates the directory if missing and removes temporary files left by
     * crashed writers. May be called more than once; each call returns a new instance.
     *
     * @return the store
     * @throws StoreUnavailableException if the directory cannot be created or locked
     */
    public FileSystemStore build() {
      FsDirectory files = FsDirectory.open(directory, fsync == null || fsync);
      return new FileSystemStore(files, pollInterval == null ? DEFAULT_POLL_INTERVAL : pollInterval, scheduler);
    }

    private static void requireUnset(Object current, String setting) {
      if (current != null) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
