package io.oneca.api.store;

import java.util.Objects;
import java.util.function.Function;

/**
 * A value as the store holds it, with the version the store assigned to it.
 *
 * <p>Versions are positive and strictly increase per key, also across delete and re-create: a
 * higher version is always a later state of the key. They are what compare-and-set preconditions
 * name and what keeps in-memory copies from moving backwards. Versions of different keys are not
 * comparable in general.
 *
 * <p>For {@code Versioned<byte[]>} the array is shared, not copied: treat it as read-only.
 *
 * @param key the store key
 * @param value the value
 * @param version the store's version of this value; positive
 * @param <T> the value type
 */
public record Versioned<T>(String key, T value, long version) {

  /** Validates the fields. */
  public Versioned {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive, was " + version + " for key '" + key + "'");
    }
  }

  /**
   * Returns the same key and version with a transformed value.
   *
   * @param mapper the transformation
   * @param <R> the new value type
   * @return the transformed value at the same key and version
   */
  public <R> Versioned<R> map(Function<? super T, ? extends R> mapper) {
    return new Versioned<>(key, mapper.apply(value), version);
  }

  /** Returns whether this value is strictly newer than {@code other}. */
  public boolean isNewerThan(Versioned<?> other) {
    return version > other.version;
  }

  @Override
  public String toString() {
    return "Versioned[key=" + key + ", version=" + version + "]";
  }
}
