package io.oneca.core;

import java.util.Objects;

/**
 * The sequential specification {@link CaCacheLincheckTest} checks against: keep the newest offered
 * version that parses; an offer of a version not newer than the current one changes nothing; an
 * unusable newer version is rejected and the current one stays; each adoption adds one generation.
 * Lincheck calls its methods by name; results are compared as strings.
 */
public final class CaCacheModel {
  private long version;
  private long generation;

  /** Starts with no CA; Lincheck creates one per scenario, by reflection. */
  public CaCacheModel() {}

  public String offer(int offered) {
    if (generation > 0 && offered <= version) {
      return "NOT_NEWER " + current();
    }
    if (offered == CaCacheLincheckTest.UNUSABLE) {
      return "REJECTED " + current();
    }
    version = offered;
    generation++;
    return "ADVANCED " + current();
  }

  public String current() {
    return generation == 0 ? "none" : "v" + version + "/g" + generation;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CaCacheModel model && version == model.version && generation == model.generation;
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, generation);
  }

  @Override
  public String toString() {
    return "CaCacheModel[" + current() + "]";
  }
}
