package io.oneca.core.files;

import java.io.IOException;
import java.nio.file.Path;

/** Reads a whole file; a seam so tests can replace files between two reads of one check. */
@FunctionalInterface
interface FileBytes {
  FileBytes DEFAULT = java.nio.file.Files::readAllBytes;

  byte[] read(Path file) throws IOException;
}
