package io.oneca.samples.cloudcore.edge;

import io.oneca.core.files.AtomicDirectoryWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An edge's identity directory: {@code tls.key}, {@code tls.crt} (leaf first) and {@code ca.crt}
 * (the trust bundle), always published together in one atomic swap so that no reader sees a key of
 * one renewal with the certificate of another.
 */
final class EdgeFiles {
  static final String KEY = "tls.key";
  static final String CERT = "tls.crt";
  static final String CA = "ca.crt";

  private final Path directory;
  private final AtomicDirectoryWriter writer;

  EdgeFiles(Path directory) {
    this.directory = directory;
    this.writer = AtomicDirectoryWriter.of(directory);
  }

  Path directory() {
    return directory;
  }

  Path key() {
    return directory.resolve(KEY);
  }

  Path certificate() {
    return directory.resolve(CERT);
  }

  Path bundle() {
    return directory.resolve(CA);
  }

  boolean complete() {
    return Files.isReadable(key()) && Files.isReadable(certificate()) && Files.isReadable(bundle());
  }

  /** Publishes all three files at once. */
  void publish(String keyPem, String chainPem, String bundlePem) {
    writer.write(Map.of(KEY, utf8(keyPem), CERT, utf8(chainPem), CA, utf8(bundlePem)), Set.of(KEY));
  }

  /** Publishes a new bundle, keeping the key and certificate as they are on disk. */
  void publishBundle(String bundlePem) throws IOException {
    publish(Files.readString(key()), Files.readString(certificate()), bundlePem);
  }

  Optional<String> readBundle() {
    try {
      return Optional.of(Files.readString(bundle()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
