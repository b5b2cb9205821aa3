package io.oneca.cli;

/** A failure the CLI explains itself (a file it cannot read, a malformed option); exit code 2. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
