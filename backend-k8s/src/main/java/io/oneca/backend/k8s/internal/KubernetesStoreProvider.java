package io.oneca.backend.k8s.internal;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.StoreProvider;
import io.oneca.backend.k8s.KubernetesSecretStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens a {@link KubernetesSecretStore} from {@code k8s://<namespace>?context=..&namePrefix=..&requestTimeoutMillis=..}.
 * The authority is the namespace; {@code k8s:///} (empty authority) uses the configuration's
 * namespace. Every parameter is optional and may appear once; the client is configured from the
 * service account in a pod, else from the kubeconfig. No credentials ever appear in the URI.
 */
public final class KubernetesStoreProvider implements StoreProvider {

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public KubernetesStoreProvider() {}

  @Override
  public String scheme() {
    return "k8s";
  }

  @Override
  public VersionedStore open(URI uri) {
    return configure(uri).build();
  }

  /** Parses a URI into a builder, without reading any configuration; for tests. */
  public static KubernetesSecretStore.Builder configure(URI uri) {
    if (!"k8s".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("uri", "expected a k8s: URI, got scheme " + uri.getScheme());
    }
    if (uri.isOpaque()) {
      throw new InvalidRequestException("uri", "expected k8s://<namespace>, e.g. k8s://cloudcore or k8s:/// for the default namespace");
    }
    if (uri.getRawUserInfo() != null || uri.getPort() != -1) {
      throw new InvalidRequestException("uri", "a k8s: URI names a namespace, not a server: no user or port allowed");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw new InvalidRequestException("uri", "a k8s: URI has no path; the namespace is the authority (k8s://<namespace>)");
    }
    if (uri.getRawFragment() != null) {
      throw new InvalidRequestException("uri", "a k8s: URI has no fragment");
    }
    KubernetesSecretStore.Builder builder = KubernetesSecretStore.builder();
    String namespace = uri.getRawAuthority();
    if (namespace != null && !namespace.isEmpty()) {
      builder.namespace(namespace);
    }
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      Set<String> seen = new HashSet<>();
      for (String pair : query.split("&", -1)) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (eq < 0) {
          throw new InvalidRequestException("uri", "parameter '" + name + "' needs a value (name=value)");
        }
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!seen.add(name)) {
          throw new InvalidRequestException("uri", "parameter '" + name + "' is given more than once");
        }
        switch (name) {
          case "context" -> builder.context(value);
          case "namePrefix" -> builder.namePrefix(value);
          case "requestTimeoutMillis" -> builder.requestTimeout(Duration.ofMillis(parseMillis(value)));
          default -> throw new InvalidRequestException(
              "uri", "unknown parameter '" + name + "'; known: context, namePrefix, requestTimeoutMillis");
        }
      }
    }
    return builder;
  }

  private static long parseMillis(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("uri", "requestTimeoutMillis must be a whole number, got '" + value + "'", e);
    }
  }
}
