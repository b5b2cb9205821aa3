package io.oneca.benchmarks.join;

import io.oneca.samples.cloudcore.join.JoinTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/** Looks up a {@link RequestFormat} by its command-line name. */
public final class RequestFormats {
  /** The name of the OneCA join endpoint's format ({@link OneCaJoinFormat}). */
  public static final String ONECA_JOIN = "oneca-join";

  private RequestFormats() {}

  /**
   * Returns the format the options name.
   *
   * @param options {@code format}, and {@code joinKey} for {@code oneca-join}
   * @return the format
   * @throws IllegalArgumentException for an unknown name or a missing or unreadable key file
   */
  public static RequestFormat forOptions(DriverOptions options) {
    if (!options.format().toLowerCase(Locale.ROOT).equals(ONECA_JOIN)) {
      return forName(options.format());
    }
    if (options.joinKey() == null) {
      throw new IllegalArgumentException("format " + ONECA_JOIN + " needs --join-key FILE (the endpoint's token key)");
    }
    try {
      return new OneCaJoinFormat(JoinTokens.fromKeyFile(options.joinKey()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the join token key " + options.joinKey(), e);
    }
  }

  /**
   * Returns the format named {@code name}, for formats that need no settings.
   *
   * @param name {@code cfssl}
   * @return the format
   * @throws IllegalArgumentException for {@code oneca-join} (use {@link #forOptions}) and unknown names
   */
  public static RequestFormat forName(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case CfsslSignFormat.NAME:
        return new CfsslSignFormat();
      case ONECA_JOIN:
        throw new IllegalArgumentException("format " + ONECA_JOIN + " needs its token key: use forOptions with --join-key");
      default:
        throw new IllegalArgumentException("unknown request format '" + name + "' (known: "
            + CfsslSignFormat.NAME + ", " + ONECA_JOIN + ")");
    }
  }
}
