package io.oneca.cli;

import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.security.KeyEncryptionKeys;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the CA key is protected in the store, for commands that need the private key: a
 * key-encryption key from a file or an environment variable, or an explicit plaintext opt-in. The
 * key itself is never an option value (it would land in shell history and process listings).
 */
final class KekOptions {
  @Option(names = "--kek-file", paramLabel = "PATH",
      description = "File holding the 32-byte key-encryption key (raw or base64).")
  Path file;

  @Option(names = "--kek-env", paramLabel = "VARIABLE",
      description = "Environment variable holding the base64 key-encryption key, e.g. ONECA_KEK.")
  String environmentVariable;

  @Option(names = "--allow-plaintext-ca-key",
      description = "Read and write the CA key without encryption (anyone who can read the store then holds the CA).")
  boolean allowPlaintext;

  @Option(names = "--allow-unauthenticated-ca-record",
      description = "With a key-encryption key: also accept a CA record written before OneCA authenticated whole"
          + " records (migration only; its trust bundle may have been changed by anyone who can write the store).")
  boolean allowUnauthenticated;

  /** Applies the protection to a builder, or explains what is missing. */
  OneCaBuilder apply(OneCaBuilder builder) {
    if (file != null && environmentVariable != null) {
      throw new CliException("give either --kek-file or --kek-env, not both");
    }
    KeyEncryptionKey kek = file != null ? KeyEncryptionKeys.fromFile(file)
        : environmentVariable != null ? KeyEncryptionKeys.fromEnvironment(environmentVariable) : null;
    if (kek != null) {
      builder.keyEncryptionKey(kek);
    }
    if (allowPlaintext) {
      builder.allowPlaintextCaKey();
    }
    if (allowUnauthenticated) {
      if (kek == null) {
        throw new CliException("--allow-unauthenticated-ca-record needs --kek-file or --kek-env");
      }
      builder.allowUnauthenticatedCaRecords();
    }
    if (kek == null && !allowPlaintext) {
      throw new CliException("this command needs the CA's private key: give --kek-file PATH or --kek-env VARIABLE"
          + " (the key-encryption key the replicas use), or --allow-plaintext-ca-key for a store without one");
    }
    return builder;
  }
}
