package io.oneca.api.store;

import java.util.Objects;

/** Which keys a subscription or a listing covers: one key, or every key under a prefix. */
public sealed interface KeyScope {

  /**
   * Returns whether {@code key} lies in this scope.
   *
   * @param key a store key
   * @return whether the key is covered
   */
  boolean contains(String key);

  /**
   * One key.
   *
   * @param key the key; validated as {@link StoreKeys#validateKey(String)} says
   * @return the scope
   */
  static KeyScope key(String key) {
    return new Exact(key);
  }

  /**
   * Every key that starts with {@code prefix}.
   *
   * @param prefix the prefix; validated as {@link StoreKeys#validatePrefix(String)} says
   * @return the scope
   */
  static KeyScope prefix(String prefix) {
    return new Prefix(prefix);
  }

  /**
   * Exactly one key.
   *
   * @param key the key
   */
  record Exact(String key) implements KeyScope {
    /** Validates the key. */
    public Exact {
      StoreKeys.validateKey(key);
    }

    @Override
    public boolean contains(String candidate) {
      return key.equals(Objects.requireNonNull(candidate, "candidate"));
    }
  }

  /**
   * Every key starting with a prefix.
   *
   * @param prefix the prefix
   */
  record Prefix(String prefix) implements KeyScope {
    /** Validates the prefix. */
    public Prefix {
      StoreKeys.validatePrefix(prefix);
    }

    @Override
    public boolean contains(String candidate) {
      return Objects.requireNonNull(candidate, "candidate").startsWith(prefix);
    }
  }
}
