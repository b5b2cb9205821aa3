package io.oneca.api.store;

import io.oneca.api.InvalidRequestException;
import java.util.Objects;

/**
 * The one key syntax, and the argument rules, every backend accepts, so that a deployment can move
 * between backends and every store rejects the same input the same way.
 *
 * <p>A key is 1 to {@value #MAX_KEY_LENGTH} characters from {@code [A-Za-z0-9._-]}, in segments
 * separated by single {@code /}; no segment is empty, {@code .} or {@code ..}; no leading or
 * trailing {@code /}. Example: {@code oneca/prod/ca}. Values are at most {@value #MAX_VALUE_BYTES}
 * bytes: far below the 1 MiB limits of Kubernetes Secrets, ZooKeeper znodes and etcd requests.
 */
public final class StoreKeys {
  /** The longest key any backend accepts. */
  public static final int MAX_KEY_LENGTH = 200;

  /** The largest value any backend accepts: 512 KiB. */
  public static final int MAX_VALUE_BYTES = 512 * 1024;

  private StoreKeys() {}

  /**
   * Checks a key.
   *
   * @param key the key
   * @return the key
   * @throws InvalidRequestException if the key breaks the syntax, naming the rule
   */
  public static String validateKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.endsWith("/")) {
      throw new InvalidRequestException("key", "'" + key + "' must not end with '/'");
    }
    return validatePath("key", key);
  }

  /**
   * Checks a prefix: a key, or a key followed by one {@code /}.
   *
   * @param prefix the prefix
   * @return the prefix
   * @throws InvalidRequestException if the prefix breaks the syntax
   */
  public static String validatePrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    String path = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    validatePath("prefix", path);
    return prefix;
  }

  /**
   * Checks a value's size.
   *
   * @param key the key the value is for (for the message)
   * @param value the value
   * @return the value
   * @throws InvalidRequestException if the value is larger than {@link #MAX_VALUE_BYTES}
   */
  public static byte[] validateValue(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > MAX_VALUE_BYTES) {
      throw new InvalidRequestException(
          "value", "for key '" + key + "' is " + value.length + " bytes, the limit is " + MAX_VALUE_BYTES);
    }
    return value;
  }

  /**
   * Checks the arguments of {@link VersionedStore#compareAndSet}, as every store does before any I/O.
   *
   * @param key the key
   * @param precondition the precondition
   * @param value the value
   * @throws InvalidRequestException if the key or the value size breaks the rules
   */
  public static void validateWrite(String key, Precondition precondition, byte[] value) {
    validateKey(key);
    Objects.requireNonNull(precondition, "precondition");
    validateValue(key, value);
  }

  /**
   * Checks the arguments of {@link VersionedStore#delete}, as every store does before any I/O.
   *
   * @param key the key
   * @param precondition the precondition; only {@link Precondition#atVersion(long)} deletes
   * @return the precondition, as the version it names
   * @throws InvalidRequestException if the key is invalid or the precondition is {@code absent()}
   */
  public static Precondition.AtVersion validateDelete(String key, Precondition precondition) {
    validateKey(key);
    Objects.requireNonNull(precondition, "precondition");
    if (!(precondition instanceof Precondition.AtVersion atVersion)) {
      throw new InvalidRequestException("precondition", "delete of '" + key + "' needs atVersion(v), was " + precondition);
    }
    return atVersion;
  }

  private static String validatePath(String field, String path) {
    if (path.isEmpty() || path.length() > MAX_KEY_LENGTH) {
      throw new InvalidRequestException(field, "must be 1 to " + MAX_KEY_LENGTH + " characters, was " + path.length());
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new InvalidRequestException(field, "'" + path + "' has an empty, '.' or '..' segment");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == '-';
        if (!ok) {
          throw new InvalidRequestException(
              field, "'" + path + "' has character '" + c + "'; allowed are A-Z a-z 0-9 . _ - and '/' between segments");
        }
      }
    }
    return path;
  }
}
