package io.oneca.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes output files whole (temporary file, then rename), secrets readable by the owner only. */
final class OutputFiles {
  private OutputFiles() {}

  static void writeAtomically(Path target, byte[] content, boolean secret) {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    Path temporary = null;
    try {
      temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
      if (secret) {
        try {
          Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // Not a POSIX file system: the platform's default permissions apply.
        }
      }
      Files.write(temporary, content);
      try {
        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      temporary = null;
    } catch (FileAlreadyExistsException e) {
      throw new CliException("cannot write " + target + ": it exists");
    } catch (IOException e) {
      throw new CliException("cannot write " + target + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          // Best effort: the temporary file holds nothing the target would not.
        }
      }
    }
  }
}
