package io.oneca.benchmarks.join;

import java.util.Locale;

/** Looks up a {@link RequestFormat} by its command-line name. */
public final class RequestFormats {
  /** The name reserved for the OneCA join endpoint's format (issue 9; see {@link RequestFormat}). */
  public static final String ONECA_JOIN = "oneca-join";

  private RequestFormats() {}

  /**
   * Returns the format named {@code name}.
   *
   * @param name {@code cfssl}; {@code oneca-join} is reserved
   * @return the format
   * @throws UnsupportedOperationException for {@code oneca-join}, which waits for the join endpoint
   * @throws IllegalArgumentException for any other name
   */
  public static RequestFormat forName(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case CfsslSignFormat.NAME:
        return new CfsslSignFormat();
      case ONECA_JOIN:
        throw new UnsupportedOperationException("format " + ONECA_JOIN + " is not implemented: the sample's join"
            + " endpoint does not exist yet (issue 9); see RequestFormat's javadoc for how to add it");
      default:
        throw new IllegalArgumentException("unknown request format '" + name + "' (known: "
            + CfsslSignFormat.NAME + "; reserved: " + ONECA_JOIN + ")");
    }
  }
}
