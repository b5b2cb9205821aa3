package io.oneca.core.internal.store;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.StoreProvider;
import io.oneca.core.store.FileSystemStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens a {@link FileSystemStore} from {@code file:///absolute/dir} with optional query parameters
 * {@code pollMillis} (how often foreign changes are looked for) and {@code fsync} ({@code true} or
 * {@code false}).
 */
public final class FileStoreProvider implements StoreProvider {

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public FileStoreProvider() {}

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public VersionedStore open(URI uri) {
    if (!"file".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("uri", "expected a file: URI, got scheme " + uri.getScheme());
    }
    if (uri.getPath() == null || uri.getPath().isEmpty()) {
      throw new InvalidRequestException("uri", "a file: URI needs an absolute path, e.g. file:///var/lib/oneca");
    }
    FileSystemStore.Builder builder = FileSystemStore.builder(Path.of(uri.getPath()));
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        switch (name) {
          case "pollMillis" -> builder.pollInterval(Duration.ofMillis(parseLong(name, value)));
          case "fsync" -> builder.fsync(parseBoolean(name, value));
          default -> throw new InvalidRequestException(
              "uri", "unknown parameter '" + name + "'; known: pollMillis, fsync");
        }
      }
    }
    return builder.build();
  }

  private static long parseLong(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("uri", name + " must be a whole number, got '" + value + "'", e);
    }
  }

  private static boolean parseBoolean(String name, String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new InvalidRequestException("uri", name + " must be true or false, got '" + value + "'");
  }
}
