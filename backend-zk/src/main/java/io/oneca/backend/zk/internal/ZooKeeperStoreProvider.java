package io.oneca.backend.zk.internal;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.StoreProvider;
import io.oneca.backend.zk.ZooKeeperStore;
import io.oneca.backend.zk.ZooKeeperStoreBuilder;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Opens a {@link ZooKeeperStore} from a URI:
 * {@code zk://host:port[,host:port...][/namespace][?param=value&...]}.
 *
 * <p>The path is the namespace (default {@code oneca}). Parameters: {@code sessionTimeoutMillis},
 * {@code connectionTimeoutMillis}, {@code retryBaseSleepMillis} and {@code retryMaxRetries}
 * (Curator's exponential backoff), {@code user} with {@code passwordFile} (digest credentials and
 * ACLs), {@code worldReadable} ({@code true}/{@code false}), {@code ioThreads}. Passwords are never
 * accepted inline (no {@code password=}, no {@code user:password@}), so the URI can be logged.
 */
public final class ZooKeeperStoreProvider implements StoreProvider {
  private static final Set<String> KNOWN = Set.of("sessionTimeoutMillis", "connectionTimeoutMillis",
      "retryBaseSleepMillis", "retryMaxRetries", "user", "passwordFile", "worldReadable", "ioThreads", "allowOpenAcl");

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public ZooKeeperStoreProvider() {}

  @Override
  public String scheme() {
    return "zk";
  }

  @Override
  public VersionedStore open(URI uri) {
    return configure(uri).build();
  }

  /**
   * Validates a URI and turns it into a builder, without connecting.
   *
   * @param uri the URI
   * @return the configured builder
   * @throws InvalidRequestException with field {@code uri}, never repeating a credential
   */
  public static ZooKeeperStoreBuilder configure(URI uri) {
    if (!"zk".equalsIgnoreCase(uri.getScheme())) {
      throw bad("expected scheme zk, got " + uri.getScheme());
    }
    if (uri.isOpaque()) {
      throw bad("expected zk://host:port[,host:port]/namespace");
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw bad("no hosts; expected zk://host:port[,host:port]/namespace");
    }
    if (authority.contains("@")) {
      throw bad("credentials must not be part of the URI; use user=...&passwordFile=/path");
    }
    if (uri.getRawFragment() != null) {
      throw bad("a zk: URI has no fragment");
    }
    ZooKeeperStoreBuilder builder = ZooKeeperStore.builder();
    try {
      builder.connectString(authority);
      String path = uri.getPath();
      if (path != null && path.length() > 1) {
        builder.namespace(path.endsWith("/") ? path.substring(1, path.length() - 1) : path.substring(1));
      }
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("uri", e.getMessage(), e);
    }
    Map<String, String> params = parameters(uri.getRawQuery());
    String user = params.get("user");
    String passwordFile = params.get("passwordFile");
    if ((user == null) != (passwordFile == null)) {
      throw bad("user and passwordFile go together");
    }
    if ("true".equals(params.get("worldReadable")) && user == null) {
      throw bad("worldReadable=true needs user and passwordFile");
    }
    String baseSleep = params.get("retryBaseSleepMillis");
    String maxRetries = params.get("retryMaxRetries");
    try {
      for (Map.Entry<String, String> e : params.entrySet()) {
        String value = e.getValue();
        switch (e.getKey()) {
          case "sessionTimeoutMillis" -> builder.sessionTimeout(Duration.ofMillis(number(e.getKey(), value)));
          case "connectionTimeoutMillis" -> builder.connectionTimeout(Duration.ofMillis(number(e.getKey(), value)));
          case "worldReadable" -> builder.worldReadable(bool(e.getKey(), value));
          case "allowOpenAcl" -> builder.allowOpenAcl(bool(e.getKey(), value));
          case "ioThreads" -> builder.ioThreads(Math.toIntExact(number(e.getKey(), value)));
          case "passwordFile" -> builder.credentialsFromFile(user, Path.of(value));
          default -> { }
        }
      }
      if (baseSleep != null || maxRetries != null) {
        long sleep = baseSleep == null ? 100 : number("retryBaseSleepMillis", baseSleep);
        long retries = maxRetries == null ? 5 : number("retryMaxRetries", maxRetries);
        if (sleep < 1 || sleep > 60_000 || retries < 0 || retries > 29) {
          throw bad("retryBaseSleepMillis must be 1 to 60000 and retryMaxRetries 0 to 29");
        }
        builder.retryPolicy(new ExponentialBackoffRetry((int) sleep, (int) retries));
      }
    } catch (InvalidRequestException e) {
      throw e.field().equals("uri") ? e : new InvalidRequestException("uri", e.getMessage(), e);
    } catch (ArithmeticException | IllegalStateException e) {
      throw bad(e.getMessage());
    }
    return builder;
  }

  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (name.equalsIgnoreCase("password")) {
        throw bad("passwords are not accepted in the URI; put it in a file and use passwordFile=/path");
      }
      if (!KNOWN.contains(name)) {
        throw bad("unknown parameter '" + name + "'; known: " + new java.util.TreeSet<>(KNOWN));
      }
      if (eq < 0) {
        throw bad("parameter '" + name + "' has no value");
      }
      if (params.put(name, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)) != null) {
        throw bad("parameter '" + name + "' is given twice");
      }
    }
    return params;
  }

  private static long number(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("uri", name + " must be a whole number, got '" + value + "'", e);
    }
  }

  private static boolean bool(String name, String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw bad(name + " must be true or false, got '" + value + "'");
  }

  private static InvalidRequestException bad(String reason) {
    return new InvalidRequestException("uri", reason);
  }
}
