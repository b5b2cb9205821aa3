package io.oneca.core.store;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files behind a {@link FileSystemStore}: layout and the read and write steps. Writers hold the
 * {@link FsLock}. Every failure leaves here as a typed {@link io.oneca.api.OneCaException}.
 */
final class FsDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(FsDirectory.class);

  /** Prefix of temporary files; {@code ~} is not a key character, so no key file starts with it. */
  static final String TMP_PREFIX = ".tmp~";

  private final Path directory;
  private final Path keysDir;
  private final Path revisionFile;
  private final String backend;
  private final boolean fsync;
  private final boolean posix;
  private final FsLock lock;

  private FsDirectory(Path directory, String backend, boolean fsync, boolean posix, Path realDirectory) {
    this.directory = directory;
    this.keysDir = directory.resolve("keys");
    this.revisionFile = directory.resolve("revision");
    this.backend = backend;
    this.fsync = fsync;
    this.posix = posix;
    this.lock = new FsLock(realDirectory, backend, fileAttributes());
  }

  /** Creates the directories if missing, then removes temporary files left by crashed writers. */
  static FsDirectory open(Path directory, boolean fsync) {
    Path absolute = directory.toAbsolutePath().normalize();
    String backend = "file:" + absolute;
    boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path real;
    try {
      createPrivateDirectory(absolute, posix);
      createPrivateDirectory(absolute.resolve("keys"), posix);
      real = absolute.toRealPath();
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, null, false, "cannot create the store directory: " + e, e);
    }
    FsDirectory store = new FsDirectory(absolute, backend, fsync, posix, real);
    store.lock.run(null, store::removeDebris);
    return store;
  }

  String backend() {
    return backend;
  }

  /** Reads one key without locking: a rename replaces a file atomically, so this sees a whole value. */
  Optional<Versioned<byte[]>> read(String key) {
    byte[] bytes;
    try {
      bytes = readSmallFile(keyFile(key), FsRecords.MAX_VALUE_FILE_BYTES);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, key, false, "reading the value file failed: " + e, e);
    }
    if (bytes == null) {
      throw FsRecords.unreadable(backend, key, 0, "value file is larger than any valid record");
    }
    return Optional.of(FsRecords.decodeValue(backend, key, bytes));
  }

  /**
   * Reads every key in a scope. A prefix is listed under the lock: a directory listing that runs
   * while a file is renamed over another may miss the name altogether (POSIX leaves it unspecified).
   */
  List<Versioned<byte[]>> read(KeyScope scope) {
    if (scope instanceof KeyScope.Exact exact) {
      return read(exact.key()).map(List::of).orElse(List.of());
    }
    String prefix = ((KeyScope.Prefix) scope).prefix();
    return lock.run(prefix, () -> scan(prefix));
  }

  /** Reads the store-wide revision without locking: {@code -1} if no write ever happened. */
  long revision() {
    try {
      return readRevisionFile();
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, null, false, "reading the revision file failed: " + e, e);
    }
  }

  /** Reads the revision under the lock, so that the write that set it has completed. */
  long revisionOfCompletedWrites() {
    return lock.run(null, this::revision);
  }

  CasResult compareAndSet(String key, Precondition precondition, byte[] value) {
    return lock.run(key, () -> {
      Optional<Versioned<byte[]>> current = read(key);
      if (!holds(precondition, current)) {
        return new CasResult.Conflict(current);
      }
      long version = nextRevision(key, current);
      Path tmp;
      try {
        tmp = writeTempFile(keysDir, FsRecords.encodeValue(version, value));
      } catch (IOException e) {
        throw new StoreUnavailableException(backend, key, false, "writing a temporary value file failed: " + e, e);
      }
      try {
        Files.move(tmp, keyFile(key), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        deleteQuietly(tmp);
        throw new StoreUnavailableException(backend, key, true, "moving the value file into place failed: " + e, e);
      }
      syncDirectoryAfterWrite(keysDir, key);
      return new CasResult.Applied(new Versioned<>(key, value, version));
    });
  }

  CasResult delete(String key, Precondition precondition) {
    return lock.run(key, () -> {
      Optional<Versioned<byte[]>> current = read(key);
      if (!holds(precondition, current)) {
        return new CasResult.Conflict(current);
      }
      nextRevision(key, current);
      try {
        Files.deleteIfExists(keyFile(key));
      } catch (IOException e) {
        throw new StoreUnavailableException(backend, key, true, "deleting the value file failed: " + e, e);
      }
      syncDirectoryAfterWrite(keysDir, key);
      return new CasResult.Applied(current.orElseThrow());
    });
  }

  private static boolean holds(Precondition precondition, Optional<Versioned<byte[]>> current) {
    if (precondition instanceof Precondition.AtVersion at) {
      return current.isPresent() && current.get().version() == at.version();
    }
    return current.isEmpty();
  }

  /**
   * Bumps the revision file before the value changes, so that it is at least every version ever
   * used even after a crash, and returns the new revision: the version of the write.
   */
  private long nextRevision(String key, Optional<Versioned<byte[]>> current) {
    long revision;
    try {
      revision = readRevisionFile();
      if (revision < 0 && hasKeyFiles()) {
        throw FsRecords.unreadable(backend, FsRecords.REVISION_KEY, 0,
            "revision file is missing but key files exist; versions could repeat, so nothing is written");
      }
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, key, false, "reading the revision file failed: " + e, e);
    }
    long next = Math.max(revision, current.map(Versioned::version).orElse(0L)) + 1;
    Path tmp = null;
    try {
      tmp = writeTempFile(directory, FsRecords.encodeRevision(next));
      Files.move(tmp, revisionFile, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
      syncDirectory(directory);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new StoreUnavailableException(backend, key, false, "writing the revision file failed: " + e, e);
    }
    return next;
  }

  private long readRevisionFile() throws IOException {
    byte[] bytes;
    try {
      bytes = readSmallFile(revisionFile, FsRecords.REVISION_FILE_BYTES);
    } catch (NoSuchFileException e) {
      return -1;
    }
    if (bytes == null) {
      throw FsRecords.unreadable(backend, FsRecords.REVISION_KEY, 0, "revision file is too large");
    }
    return FsRecords.decodeRevision(backend, bytes);
  }

  private List<Versioned<byte[]>> scan(String prefix) {
    List<Versioned<byte[]>> result = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keysDir)) {
      for (Path file : files) {
        String key = decodeFileName(file.getFileName().toString());
        if (key != null && key.startsWith(prefix)) {
          read(key).ifPresent(result::add);
        }
      }
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, prefix, false, "listing the keys directory failed: " + e, e);
    }
    result.sort(Comparator.comparing(Versioned::key));
    return result;
  }

  private boolean hasKeyFiles() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keysDir)) {
      for (Path file : files) {
        if (decodeFileName(file.getFileName().toString()) != null) {
          return true;
        }
      }
    }
    return false;
  }

  private Void removeDebris() {
    int removed = 0;
    try {
      for (Path dir : List.of(directory, keysDir)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
          for (Path file : files) {
            Files.deleteIfExists(file);
            removed++;
          }
        }
      }
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, null, false, "removing temporary files failed: " + e, e);
    }
    if (removed > 0) {
      LOG.info("{}: removed {} temporary file(s) left by an interrupted write", backend, removed);
    }
    return null;
  }

  private Path writeTempFile(Path dir, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(dir, TMP_PREFIX, "", fileAttributes());
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (fsync) {
        channel.force(true);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    return tmp;
  }

  private void syncDirectoryAfterWrite(Path dir, String key) {
    try {
      syncDirectory(dir);
    } catch (IOException e) {
      throw new StoreUnavailableException(backend, key, true, "syncing the keys directory failed: " + e, e);
    }
  }

  private void syncDirectory(Path dir) throws IOException {
    if (fsync && posix) {
      try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }
  }

  /** Reads a whole file, or returns {@code null} if it is larger than {@code limit} bytes. */
  private static byte[] readSmallFile(Path file, int limit) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > limit) {
        return null;
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          break;
        }
      }
      return buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
    }
  }

  private FileAttribute<?>[] fileAttributes() {
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private static void createPrivateDirectory(Path dir, boolean posix) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    if (posix) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debug("cannot delete temporary file {}", file, e);
      }
    }
  }

  private Path keyFile(String key) {
    return keysDir.resolve(key.replace('/', '+'));
  }

  /** Returns the key a file in {@code keys/} holds, or {@code null} for files that are not key files. */
  static String decodeFileName(String name) {
    String key = name.replace('+', '/');
    try {
      return StoreKeys.validateKey(key);
    } catch (InvalidRequestException e) {
      return null;
    }
  }
}
