package io.oneca.core.security;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.security.KeyEncryptionKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AES-256-GCM {@link KeyEncryptionKey}s from a file, an environment variable or bytes in hand.
 *
 * <p>A key is 32 random bytes, for example {@code head -c 32 /dev/urandom > kek.bin} or
 * {@code openssl rand -base64 32}. Its {@linkplain KeyEncryptionKey#id() id} is derived from the
 * key itself ({@code aes256gcm:} and 16 hex digits of a one-way digest), so the same key has the
 * same id whether a replica reads it from a file or from the environment.
 *
 * <p>Errors are {@link InvalidRequestException}s with field {@code keyEncryptionKey} that say what
 * is wrong (missing, wrong length, not base64) and never contain any part of the key.
 */
public final class KeyEncryptionKeys {
  private static final Logger LOG = LoggerFactory.getLogger(KeyEncryptionKeys.class);
  private static final String FIELD = "keyEncryptionKey";
  /** A key file larger than this is certainly not a key; refuse before reading it. */
  private static final long MAX_FILE_BYTES = 1024;

  private KeyEncryptionKeys() {}

  /**
   * Reads a key from a file holding either exactly 32 raw bytes or the base64 (standard or URL-safe,
   * surrounding whitespace ignored) of 32 bytes. Logs a warning if the file is readable by group or
   * others.
   *
   * @param file the key file, typically mounted from a secret with mode 0400
   * @return the key
   * @throws InvalidRequestException if the file is missing, unreadable or does not hold a 32-byte key
   */
  public static KeyEncryptionKey fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    byte[] content = null;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InvalidRequestException(FIELD, "file " + file + " has " + size
            + " bytes; expected 32 raw bytes or the base64 of 32 bytes");
      }
      content = Files.readAllBytes(file);
      warnIfShared(file);
      if (content.length == Aes256GcmKey.KEY_BYTES) {
        return ofBytes(content);
      }
      return fromBase64(new String(content, StandardCharsets.ISO_8859_1), "file " + file);
    } catch (IOException e) {
      throw new InvalidRequestException(FIELD, "cannot read key file " + file + " (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (content != null) {
        Arrays.fill(content, (byte) 0);
      }
    }
  }

  /**
   * Reads a key from an environment variable holding the base64 (standard or URL-safe) of 32 bytes.
   *
   * @param variable the variable's name, for example {@code ONECA_KEK}
   * @return the key
   * @throws InvalidRequestException if the variable is unset, empty or does not hold a 32-byte key
   */
  public static KeyEncryptionKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System::getenv);
  }

  static KeyEncryptionKey fromEnvironment(String variable, UnaryOperator<String> environment) {
    Objects.requireNonNull(variable, "variable");
    String value = environment.apply(variable);
    if (value == null || value.isBlank()) {
      throw new InvalidRequestException(FIELD, "environment variable " + variable + " is not set");
    }
    return fromBase64(value, "environment variable " + variable);
  }

  /**
   * Returns a key for 32 bytes in hand, for keys fetched by other means.
   *
   * @param key the 32 key bytes; copied, so the caller may zero its array
   * @return the key
   * @throws InvalidRequestException if the array does not hold exactly 32 bytes
   */
  public static KeyEncryptionKey ofBytes(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != Aes256GcmKey.KEY_BYTES) {
      throw new InvalidRequestException(FIELD, "an AES-256 key has 32 bytes, got " + key.length);
    }
    return new Aes256GcmKey(key, new SecureRandom());
  }

  private static KeyEncryptionKey fromBase64(String text, String source) {
    String trimmed = text.strip();
    byte[] decoded = null;
    try {
      // The decoder's message would quote the offending character: drop it.
      decoded = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(trimmed)
          : Base64.getDecoder().decode(trimmed);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(FIELD, source + " is neither 32 raw bytes nor valid base64");
    }
    try {
      if (decoded.length != Aes256GcmKey.KEY_BYTES) {
        throw new InvalidRequestException(FIELD, source + " decodes to " + decoded.length
            + " bytes; an AES-256 key has 32 (generate one with: openssl rand -base64 32)");
      }
      return ofBytes(decoded);
    } finally {
      Arrays.fill(decoded, (byte) 0);
    }
  }

  private static void warnIfShared(Path file) {
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (view == null) {
        return;
      }
      Set<PosixFilePermission> permissions = view.readAttributes().permissions();
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn("key-encryption key file {} is readable by group or others; restrict it to the owner (chmod 0400)", file);
      }
    } catch (IOException e) {
      LOG.debug("cannot read the permissions of {}", file, e);
    }
  }
}
