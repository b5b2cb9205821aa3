package io.oneca.core.files;

import io.oneca.api.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publishes a set of files (a certificate, its key, a CA bundle) so that a reader never sees a mix
 * of old and new: the files go into a fresh timestamped directory, then one symbolic link,
 * {@code ..data}, is renamed onto the new directory in a single atomic step. Each published name
 * ({@code tls.crt}) is a symbolic link to {@code ..data/tls.crt}. This is the layout Kubernetes uses
 * for mounted Secrets, so readers that re-open files by path pick up renewals (the kops incident was
 * a reader that did not).
 *
 * <p>Private files are created with mode {@code 0600}; others {@code 0644}. Every file and directory
 * is fsynced before the swap. Old directories are removed after the swap. One writer per directory:
 * concurrent writers in different processes are not supported. Needs a POSIX file system with
 * symbolic links.
 */
public final class AtomicDirectoryWriter {
  private static final String DATA = "..data";
  private static final String DATA_TMP = "..data_tmp";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.SSS").withZone(ZoneOffset.UTC);
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

  private final Path directory;
  private final InstantSource clock;
  private final SecureRandom random = new SecureRandom();

  private AtomicDirectoryWriter(Path directory, InstantSource clock) {
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * Returns a writer for {@code directory}, created with its parents when missing.
   *
   * @throws UncheckedIOException if the directory cannot be created
   */
  public static AtomicDirectoryWriter of(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create directory " + directory, e);
    }
    return new AtomicDirectoryWriter(directory.toAbsolutePath(), InstantSource.system());
  }

  /** Returns the directory readers open files in. */
  public Path directory() {
    return directory;
  }

  /**
   * Publishes {@code files} (name to content) atomically; names not in {@code files} that an
   * earlier write published disappear.
   *
   * @param files the files to publish; names are plain file names, not paths, and not starting with {@code .}
   * @param privateNames which of the names hold secrets (mode {@code 0600})
   * @return the new timestamped directory
   * @throws InvalidRequestException ({@code files}) for an empty set or a bad name; nothing is written
   * @throws UncheckedIOException if writing fails; readers keep seeing the previous files
   */
  public synchronized Path write(Map<String, byte[]> files, Set<String> privateNames) {
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(privateNames, "privateNames");
    if (files.isEmpty()) {
      throw new InvalidRequestException("files", "at least one file is required");
    }
    Map<String, byte[]> sorted = new TreeMap<>(files);
    for (String name : sorted.keySet()) {
      if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")) {
        throw new InvalidRequestException("files", "'" + name + "' is not a plain file name");
      }
    }
    try {
      Path fresh = createDataDirectory();
      for (Map.Entry<String, byte[]> file : sorted.entrySet()) {
        writeFile(fresh.resolve(file.getKey()), file.getValue(), privateNames.contains(file.getKey()));
      }
      fsync(fresh);
      Path tmpLink = directory.resolve(DATA_TMP);
      Files.deleteIfExists(tmpLink);
      Files.createSymbolicLink(tmpLink, fresh.getFileName());
      Files.move(tmpLink, directory.resolve(DATA), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      for (String name : sorted.keySet()) {
        ensureLink(name);
      }
      removeStale(fresh, sorted.keySet());
      fsync(directory);
      return fresh;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish files in " + directory + ": " + e.getMessage(), e);
    }
  }

  private Path createDataDirectory() throws IOException {
    Instant now = clock.instant();
    while (true) {
      byte[] suffix = new byte[4];
      random.nextBytes(suffix);
      Path candidate = directory.resolve(".." + STAMP.format(now) + "_" + HexFormat.of().formatHex(suffix));
      try {
        Files.createDirectory(candidate, PosixFilePermissions.asFileAttribute(DIRECTORY));
        return candidate;
      } catch (FileAlreadyExistsException e) {
        // a name clash within the same millisecond: pick another suffix
      }
    }
  }

  private static void writeFile(Path path, byte[] content, boolean secret) throws IOException {
    Set<PosixFilePermission> permissions = secret ? PRIVATE : PUBLIC;
    try (FileChannel channel = FileChannel.open(path,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(permissions))) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.setPosixFilePermissions(path, permissions);
  }

  private void ensureLink(String name) throws IOException {
    Path link = directory.resolve(name);
    Path target = Path.of(DATA, name);
    if (Files.isSymbolicLink(link)) {
      if (Files.readSymbolicLink(link).equals(target)) {
        return;
      }
      Files.delete(link);
    } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("'" + link + "' exists and is not a link this writer manages; move it away");
    }
    Files.createSymbolicLink(link, target);
  }

  private void removeStale(Path fresh, Set<String> names) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith("..") && !name.equals(DATA) && !entry.equals(fresh) && !name.equals(DATA_TMP)
            && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(entry);
        } else if (!name.startsWith(".") && Files.isSymbolicLink(entry) && !names.contains(name)
            && Files.readSymbolicLink(entry).startsWith(DATA)) {
          Files.delete(entry);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Files.delete(entry);
      }
    }
    Files.delete(dir);
  }

  private static void fsync(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for fsync; the rename is still atomic there.
    }
  }
}
