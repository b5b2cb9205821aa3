package io.oneca.api.store;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a conditional write or delete. Losing a race is an expected outcome, so it is a
 * value ({@link Conflict}), not an exception.
 */
public sealed interface CasResult {

  /** Returns whether the write was applied. */
  default boolean applied() {
    return this instanceof Applied;
  }

  /**
   * The write was applied.
   *
   * @param value for a write: the value as now stored, with its new version. For a delete: the
   *     value as it was just before it was deleted
   */
  record Applied(Versioned<byte[]> value) implements CasResult {
    /** Validates the value. */
    public Applied {
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * The precondition did not hold; nothing was written.
   *
   * @param current what the store holds for the key now (empty when the key is absent). Callers
   *     that lost a create-if-absent race adopt this value instead of re-reading
   */
  record Conflict(Optional<Versioned<byte[]>> current) implements CasResult {
    /** Validates the value. */
    public Conflict {
      Objects.requireNonNull(current, "current");
    }
  }
}
