package io.oneca.cli;

/** The exit codes of every {@code oneca} command, for scripts. Documented in the README. */
final class ExitCodes {
  /** The command did what was asked and every check passed. */
  static final int OK = 0;
  /** The command ran, and its answer is "no": a replica disagrees, or the store holds a different CA. */
  static final int MISMATCH = 1;
  /** The command could not run: bad usage, store unavailable, unreadable record, wrong key-encryption key. */
  static final int ERROR = 2;
  /** The store holds no CA record at the key. */
  static final int NO_RECORD = 3;

  private ExitCodes() {}
}
