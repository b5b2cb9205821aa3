package io.oneca.api.store;

/**
 * What must hold for a conditional write to be applied. A write whose precondition does not hold
 * is not an error: it returns {@link CasResult.Conflict} with what the store holds instead.
 */
public sealed interface Precondition {

  /**
   * Create-if-absent: the write applies only if the key has no value.
   *
   * @return the precondition
   */
  static Precondition absent() {
    return Absent.INSTANCE;
  }

  /**
   * Replace-if-unchanged: the write applies only if the key's current version is exactly {@code version}.
   *
   * @param version the version the caller read
   * @return the precondition
   * @throws IllegalArgumentException if {@code version} is not positive
   */
  static Precondition atVersion(long version) {
    return new AtVersion(version);
  }

  /** The key must not exist. */
  enum Absent implements Precondition {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "absent";
    }
  }

  /**
   * The key must exist at exactly this version.
   *
   * @param version the expected version; positive
   */
  record AtVersion(long version) implements Precondition {
    /** Validates the version. */
    public AtVersion {
      if (version <= 0) {
        throw new IllegalArgumentException("version must be positive, was " + version);
      }
    }

    @Override
    public String toString() {
      return "at version " + version;
    }
  }
}
