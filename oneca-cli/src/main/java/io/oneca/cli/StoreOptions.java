package io.oneca.cli;

import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCaBuilder;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the CA record is: {@code --store URI} (any backend on the class path) and {@code --key}. */
final class StoreOptions {
  @Option(names = "--store", required = true, paramLabel = "URI",
      description = "The store, e.g. file:/var/lib/oneca, etcd://10.0.0.1:2379/oneca, zk://zk1:2181/oneca,"
          + " k8s://default (credentials as file paths in the URI, never inline).")
  String uri;

  @Option(names = "--key", paramLabel = "KEY", defaultValue = OneCaBuilder.DEFAULT_CA_KEY,
      description = "The store key of the CA record (default: ${DEFAULT-VALUE}).")
  String key;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10S",
      converter = DurationConverter.class,
      description = "Bound on each store operation, ISO-8601 or e.g. 10s, 500ms (default: 10s).")
  Duration timeout;

  /** Opens the store; the caller closes it. */
  VersionedStore open() {
    StoreKeys.validateKey(key);
    return Stores.open(uri);
  }

  /** Parses {@code 10s}, {@code 500ms}, {@code 2m} and ISO-8601 durations. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String text = value.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (text.startsWith("p")) {
          return Duration.parse(value.trim());
        } else if (text.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        } else if (text.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        } else if (text.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
        } else if (text.endsWith("h")) {
          return Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
        } else if (text.endsWith("d")) {
          return Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1)));
        }
      } catch (RuntimeException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a duration");
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (use e.g. 10s, 500ms, 2m, 30d or PT10S)");
    }
  }
}
