package io.oneca.backend.k8s;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Maps store keys to Secret names: valid DNS-1123 subdomains of at most 253 characters, distinct
 * for distinct keys.
 *
 * <p>Escaping: {@code [a-z0-9]} stand for themselves; every other key character becomes {@code -}
 * followed by one code character: an upper-case letter its lower-case form, {@code /} becomes
 * {@code --}, {@code -} {@code -0}, {@code .} {@code -1}, {@code _} {@code -2}. This is a prefix-free
 * code, so it is injective and decodable, the result never contains {@code .}, and it ends with a
 * letter or digit (a key never ends with {@code /}). {@code oneca/prod/ca} becomes
 * {@code oneca-oneca--prod--ca} under the default prefix.
 *
 * <p>When prefix plus escaped key would exceed 253 characters, the name is the escaped key cut to
 * fit, then {@code .h} and the unpadded lower-case base32 SHA-256 of the key (52 characters). Only
 * such names contain a dot, so they never equal an escaped name; two long keys share a name only
 * on a SHA-256 collision, and the original key, kept in an annotation and compared on every read,
 * turns even that into an error instead of a mix-up. Keys of up to
 * {@code (253 - prefix length) / 2} characters always get escaped names.
 */
final class SecretNames {
  /** Kubernetes' limit for object names (DNS-1123 subdomain). */
  static final int MAX_NAME_LENGTH = 253;
  /** Longest accepted prefix, so that hashed names keep a readable stem. */
  static final int MAX_PREFIX_LENGTH = 63;

  private static final int HASH_CHARS = 52;
  private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

  private final String prefix;

  SecretNames(String prefix) {
    this.prefix = validatePrefix(prefix);
  }

  String prefix() {
    return prefix;
  }

  /** Returns the name of the Secret that holds a key. */
  String nameOf(String key) {
    StoreKeys.validateKey(key);
    String escaped = escape(key);
    if (prefix.length() + escaped.length() <= MAX_NAME_LENGTH) {
      return prefix + escaped;
    }
    int stemLength = MAX_NAME_LENGTH - prefix.length() - 2 - HASH_CHARS;
    String stem = escaped.substring(0, stemLength);
    while (stem.endsWith("-")) {
      stem = stem.substring(0, stem.length() - 1);
    }
    return prefix + stem + ".h" + sha256Base32(key);
  }

  /** Returns whether a Secret name could be one of this prefix's record names (the counter is not). */
  boolean mayHoldRecord(String name) {
    return name.startsWith(prefix) && !name.equals(counterName());
  }

  /** The name of the Secret that holds the version counter; never the name of a key. */
  String counterName() {
    // Escaped names contain no dot and hashed names have a stem of at least 136 characters.
    return prefix + "version.counter";
  }

  static String validatePrefix(String prefix) {
    Objects.requireNonNull(prefix, "namePrefix");
    if (prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
      throw new InvalidRequestException("namePrefix",
          "must be 1 to " + MAX_PREFIX_LENGTH + " characters, was " + prefix.length());
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!(alnum || (c == '-' && i > 0))) {
        throw new InvalidRequestException("namePrefix", "'" + prefix
            + "' must start with [a-z0-9] and contain only [a-z0-9-] (a DNS-1123 label start); bad character at index " + i);
      }
    }
    return prefix;
  }

  static String escape(String key) {
    StringBuilder out = new StringBuilder(key.length() + 8);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        out.append('-').append((char) (c - 'A' + 'a'));
      } else {
        out.append('-').append(switch (c) {
          case '/' -> '-';
          case '-' -> '0';
          case '.' -> '1';
          case '_' -> '2';
          default -> throw new InvalidRequestException("key", "'" + key + "' has character '" + c + "'");
        });
      }
    }
    return out.toString();
  }

  /** Reverses {@link #escape}; returns {@code null} for text that is not an escaped key. */
  static String unescape(String escaped) {
    StringBuilder out = new StringBuilder(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
        continue;
      }
      if (c != '-' || i + 1 == escaped.length()) {
        return null;
      }
      char code = escaped.charAt(++i);
      if (code >= 'a' && code <= 'z') {
        out.append((char) (code - 'a' + 'A'));
      } else {
        switch (code) {
          case '-' -> out.append('/');
          case '0' -> out.append('-');
          case '1' -> out.append('.');
          case '2' -> out.append('_');
          default -> {
            return null;
          }
        }
      }
    }
    return out.toString();
  }

  /** Whether {@code name} is a DNS-1123 subdomain as Kubernetes validates object names. */
  static boolean isDns1123Subdomain(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }

  private static String sha256Base32(String key) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    StringBuilder out = new StringBuilder(HASH_CHARS);
    int buffer = 0;
    int bits = 0;
    for (byte b : digest) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }
}
