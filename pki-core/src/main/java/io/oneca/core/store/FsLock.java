package io.oneca.core.store;

import io.oneca.api.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writers' lock of one store directory: a JVM-wide {@link ReentrantLock} per directory, then an
 * exclusive {@link FileChannel#lock()} on {@code store.lock} against other processes.
 *
 * <p>The JVM lock is needed because file locks belong to the process: two channels of one JVM
 * locking the same file throw {@code OverlappingFileLockException}, and closing any channel on the
 * file may release every lock the JVM holds on it. So {@code store.lock} is opened and closed only
 * here, while holding the JVM lock, and never kept open between operations.
 */
final class FsLock {
  private static final Logger LOG = LoggerFactory.getLogger(FsLock.class);
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path lockFile;
  private final String backend;
  private final FileAttribute<?>[] attributes;
  private final ReentrantLock jvmLock;

  /**
   * @param realDirectory the directory's real path, so that every path to it shares one JVM lock
   * @param attributes applied when {@code store.lock} is created
   */
  FsLock(Path realDirectory, String backend, FileAttribute<?>[] attributes) {
    this.lockFile = realDirectory.resolve("store.lock");
    this.backend = backend;
    this.attributes = attributes.clone();
    this.jvmLock = JVM_LOCKS.computeIfAbsent(realDirectory, p -> new ReentrantLock());
  }

  /**
   * Runs {@code action} holding both locks.
   *
   * @param key the key the action is for, named in errors; {@code null} for store-wide actions
   * @throws StoreUnavailableException if a lock cannot be taken (the action did not run)
   */
  <T> T run(String key, Supplier<T> action) {
    try {
      jvmLock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException(backend, key, false, "interrupted while waiting for the store lock", e);
    }
    try {
      FileChannel channel;
      try {
        channel = FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), attributes);
      } catch (IOException e) {
        throw new StoreUnavailableException(backend, key, false, "cannot open store.lock: " + e, e);
      }
      try {
        channel.lock();
      } catch (IOException e) {
        closeQuietly(channel);
        throw new StoreUnavailableException(backend, key, false, "locking store.lock failed: " + e, e);
      }
      try {
        return action.get();
      } finally {
        closeQuietly(channel);
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /** Closing the channel releases the file lock; the OS frees the descriptor even if close fails. */
  private void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("{}: closing store.lock failed", backend, e);
    }
  }
}
