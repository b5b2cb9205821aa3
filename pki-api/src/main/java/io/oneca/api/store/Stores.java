package io.oneca.api.store;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.spi.StoreProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Opens a store by URI, for example {@code etcd://10.0.0.1:2379,10.0.0.2:2379/oneca} or
 * {@code file:///var/lib/oneca}, using whichever {@link StoreProvider}s are on the class or module
 * path. Lets an application take its store as one configuration string.
 */
public final class Stores {
  private Stores() {}

  /**
   * Opens the store a URI names.
   *
   * @param uri the store URI; its scheme selects the provider
   * @return an open store, owned by the caller
   * @throws InvalidRequestException if the URI is malformed or no provider handles its scheme; the
   *     message lists the schemes that are available
   */
  public static VersionedStore open(String uri) {
    Objects.requireNonNull(uri, "uri");
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new InvalidRequestException("uri", "not a URI: " + e.getMessage(), e);
    }
    String scheme = parsed.getScheme();
    if (scheme == null) {
      throw new InvalidRequestException(
          "uri", "no scheme; expected one of " + providers().keySet());
    }
    Map<String, StoreProvider> providers = providers();
    StoreProvider provider = providers.get(scheme.toLowerCase(Locale.ROOT));
    if (provider == null) {
      throw new InvalidRequestException(
          "uri",
          "no store provider for scheme '"
              + scheme
              + "'; available: "
              + providers.keySet()
              + " (add the backend module, e.g. io.oneca:backend-"
              + scheme.toLowerCase(Locale.ROOT)
              + ", to the class path)");
    }
    return provider.open(parsed);
  }

  /**
   * Returns the providers that are available, by scheme.
   *
   * @return an unmodifiable, sorted map from scheme to provider
   */
  public static Map<String, StoreProvider> providers() {
    Map<String, StoreProvider> byScheme = new TreeMap<>();
    for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, Stores.class.getClassLoader())) {
      byScheme.putIfAbsent(provider.scheme().toLowerCase(Locale.ROOT), provider);
    }
    return java.util.Collections.unmodifiableMap(byScheme);
  }
}
