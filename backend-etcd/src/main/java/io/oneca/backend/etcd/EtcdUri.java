package io.oneca.backend.etcd;

import io.oneca.api.InvalidRequestException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code etcd://host:port[,host:port...][/prefix][?name=value&...]} into a builder. Passwords
 * are only accepted as a file path, so that URIs can be logged.
 */
final class EtcdUri {
  static final List<String> PARAMETERS =
      List.of("tlsCa", "tlsCert", "tlsKey", "user", "passwordFile", "connectTimeoutMillis", "timeoutMillis",
          "allowInsecureTransport");

  private EtcdUri() {}

  static EtcdStoreBuilder toBuilder(URI uri) {
    if (uri == null || !"etcd".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException("uri", "expected an etcd: URI, got scheme " + (uri == null ? null : uri.getScheme()));
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw new InvalidRequestException("uri", "an etcd: URI needs host:port, e.g. etcd://127.0.0.1:2379/oneca");
    }
    if (authority.contains("@")) {
      throw new InvalidRequestException("uri", "credentials do not belong in the URI authority; use user=...&passwordFile=...");
    }
    EtcdStoreBuilder builder = EtcdStore.builder().endpoints(List.of(authority.split(",", -1)));
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      String prefix = path.substring(1);
      builder.keyPrefix(prefix.endsWith("/") ? prefix : prefix + "/");
    }
    String tlsCert = null;
    String tlsKey = null;
    String user = null;
    String passwordFile = null;
    Set<String> seen = new HashSet<>();
    String query = uri.getRawQuery();
    for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!PARAMETERS.contains(name)) {
        throw new InvalidRequestException("uri", "unknown parameter '" + name + "'; known: " + String.join(", ", PARAMETERS));
      }
      if (!seen.add(name)) {
        throw new InvalidRequestException("uri", "parameter '" + name + "' is given twice");
      }
      if (value.isEmpty()) {
        throw new InvalidRequestException("uri", "parameter '" + name + "' needs a value");
      }
      switch (name) {
        case "tlsCa" -> builder.tlsCa(Path.of(value));
        case "tlsCert" -> tlsCert = value;
        case "tlsKey" -> tlsKey = value;
        case "user" -> user = value;
        case "passwordFile" -> passwordFile = value;
        case "connectTimeoutMillis" -> builder.connectTimeout(Duration.ofMillis(millis(name, value)));
        case "timeoutMillis" -> builder.requestTimeout(Duration.ofMillis(millis(name, value)));
        case "allowInsecureTransport" -> {
          if (value.equals("true")) {
            builder.allowInsecureTransport();
          } else if (!value.equals("false")) {
            throw new InvalidRequestException("uri", "allowInsecureTransport must be true or false, got '" + value + "'");
          }
        }
        default -> throw new IllegalStateException(name);
      }
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new InvalidRequestException("uri", "tlsCert and tlsKey go together");
    }
    if (tlsCert != null) {
      builder.tlsClientCertificate(Path.of(tlsCert), Path.of(tlsKey));
    }
    if ((user == null) != (passwordFile == null)) {
      throw new InvalidRequestException("uri", "user and passwordFile go together (passwords are never given inline)");
    }
    if (user != null) {
      builder.credentials(user, Path.of(passwordFile));
    }
    return builder;
  }

  private static long millis(String name, String value) {
    long millis;
    try {
      millis = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("uri", name + " must be a whole number of milliseconds, got '" + value + "'", e);
    }
    if (millis <= 0) {
      throw new InvalidRequestException("uri", name + " must be positive, got " + value);
    }
    return millis;
  }
}
