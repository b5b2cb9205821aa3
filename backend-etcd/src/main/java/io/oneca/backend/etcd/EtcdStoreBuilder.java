package io.oneca.backend.etcd;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.StoreKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Configures an {@link EtcdStore}. Each setter validates its argument at once and may be called
 * only once ("... was already set"). Only the endpoints are required.
 *
 * <p>Defaults: key prefix empty (store keys are etcd keys, so {@code etcdctl get oneca/ca} shows
 * OneCA's default CA record); connect timeout 5 seconds; request timeout 5 seconds; plain text
 * (no TLS); no authentication.
 *
 * <p>Security default: {@linkplain #credentials(String, Path) credentials} without
 * {@linkplain #tlsCa(Path) TLS} are refused by {@link #build()}, because the password would cross
 * the network in the clear; {@link #allowInsecureTransport()} opts in (for tests), with a warning.
 */
public final class EtcdStoreBuilder {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtcdStoreBuilder.class);
  /** The default connect timeout: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** The default request timeout: 5 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  List<String> endpoints;
  String keyPrefix;
  Duration connectTimeout;
  Duration requestTimeout;
  Path tlsCa;
  Path tlsCert;
  Path tlsKey;
  String user;
  char[] password;
  Path passwordFile;
  boolean allowInsecureTransport;

  EtcdStoreBuilder() {}

  /**
   * Sets the etcd members to talk to. Required.
   *
   * @param endpoints {@code host:port}, {@code http://host:port} or {@code https://host:port} each;
   *     at least one. The scheme is chosen by whether TLS is configured, so {@code host:port} suffices
   * @return this builder
   */
  public EtcdStoreBuilder endpoints(List<String> endpoints) {
    requireUnset(this.endpoints, "endpoints");
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) {
      throw new InvalidRequestException("endpoints", "at least one etcd endpoint is required");
    }
    List<String> hostPorts = new ArrayList<>();
    for (String endpoint : endpoints) {
      hostPorts.add(hostPort(Objects.requireNonNull(endpoint, "endpoint")));
    }
    this.endpoints = List.copyOf(hostPorts);
    return this;
  }

  /**
   * Sets the etcd members to talk to. Required. See {@link #endpoints(List)}.
   *
   * @param endpoints the endpoints
   * @return this builder
   */
  public EtcdStoreBuilder endpoints(String... endpoints) {
    return endpoints(Arrays.asList(endpoints));
  }

  /**
   * Sets the prefix put in front of every store key, to share one etcd between deployments (and
   * to grant an etcd role access to exactly OneCA's keys). Default: empty.
   *
   * @param keyPrefix empty, or a valid store key followed by {@code /}, for example {@code prod/}
   * @return this builder
   */
  public EtcdStoreBuilder keyPrefix(String keyPrefix) {
    requireUnset(this.keyPrefix, "keyPrefix");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (!keyPrefix.isEmpty()) {
      if (!keyPrefix.endsWith("/")) {
        throw new InvalidRequestException("keyPrefix", "'" + keyPrefix + "' must be empty or end with '/'");
      }
      StoreKeys.validatePrefix(keyPrefix);
    }
    this.keyPrefix = keyPrefix;
    return this;
  }

  /**
   * Sets how long connecting to a member may take. Default: 5 seconds.
   *
   * @param timeout positive, at most one hour
   * @return this builder
   */
  public EtcdStoreBuilder connectTimeout(Duration timeout) {
    requireUnset(this.connectTimeout, "connectTimeout");
    this.connectTimeout = checkTimeout("connectTimeout", timeout);
    return this;
  }

  /**
   * Sets how long one request (read, write, or the re-read that settles a write with an unknown
   * outcome) may take before it fails with {@link io.oneca.api.StoreUnavailableException}.
   * Default: 5 seconds.
   *
   * @param timeout positive, at most one hour
   * @return this builder
   */
  public EtcdStoreBuilder requestTimeout(Duration timeout) {
    requireUnset(this.requestTimeout, "requestTimeout");
    this.requestTimeout = checkTimeout("requestTimeout", timeout);
    return this;
  }

  /**
   * Uses TLS, trusting the CA certificates in a PEM file (etcd's {@code --trusted-ca-file}).
   * Default: plain text.
   *
   * @param caFile a readable PEM file
   * @return this builder
   */
  public EtcdStoreBuilder tlsCa(Path caFile) {
    requireUnset(this.tlsCa, "tlsCa");
    this.tlsCa = readable("tlsCa", caFile);
    return this;
  }

  /**
   * Authenticates with a client certificate (etcd's {@code --client-cert-auth}). Needs
   * {@link #tlsCa(Path)}. Default: none.
   *
   * @param certificateChainFile PEM certificate chain, leaf first
   * @param privateKeyFile PEM PKCS#8 private key
   * @return this builder
   */
  public EtcdStoreBuilder tlsClientCertificate(Path certificateChainFile, Path privateKeyFile) {
    requireUnset(this.tlsCert, "tlsClientCertificate");
    this.tlsCert = readable("tlsCert", certificateChainFile);
    this.tlsKey = readable("tlsKey", privateKeyFile);
    return this;
  }

  /**
   * Authenticates with etcd user and password (etcd's {@code auth enable}). Default: none. The
   * password is copied; the caller may zero its array afterwards. It is never logged.
   *
   * @param user the etcd user name
   * @param password the password
   * @return this builder
   */
  public EtcdStoreBuilder credentials(String user, char[] password) {
    requireUnset(this.user, "credentials");
    this.user = checkUser(user);
    Objects.requireNonNull(password, "password");
    if (password.length == 0) {
      throw new InvalidRequestException("password", "must not be empty");
    }
    this.password = password.clone();
    return this;
  }

  /**
   * Authenticates with etcd user and a password read from a file when {@link #build()} runs (one
   * line; a trailing newline is ignored), so that the password never appears in configuration or
   * URIs. Default: none.
   *
   * @param user the etcd user name
   * @param passwordFile a readable file holding the password
   * @return this builder
   */
  public EtcdStoreBuilder credentials(String user, Path passwordFile) {
    requireUnset(this.user, "credentials");
    this.user = checkUser(user);
    this.passwordFile = readable("passwordFile", passwordFile);
    return this;
  }

  /**
   * Allows {@linkplain #credentials(String, Path) credentials} over plain-text gRPC (no
   * {@link #tlsCa(Path)}). Default: refused, because etcd's authentication sends the password in the
   * clear and gives back a token that anyone on the path can replay. Meant for tests on loopback;
   * {@link #build()} logs a warning when it is used with credentials. URI:
   * {@code allowInsecureTransport=true}.
   *
   * @return this builder
   */
  public EtcdStoreBuilder allowInsecureTransport() {
    if (allowInsecureTransport) {
      throw new IllegalStateException("allowInsecureTransport was already set");
    }
    allowInsecureTransport = true;
    return this;
  }

  /**
   * Builds the store. The connection is made lazily: an unreachable etcd makes operations fail
   * with {@link io.oneca.api.StoreUnavailableException}, not this method.
   *
   * @return the store; the caller closes it
   * @throws InvalidRequestException if the endpoints are missing, a TLS file cannot be used, the
   *     password file cannot be read, or (field {@code credentials}) credentials are set without TLS
   *     and without {@link #allowInsecureTransport()}
   */
  public EtcdStore build() {
    if (endpoints == null) {
      throw new InvalidRequestException("endpoints", "at least one etcd endpoint is required");
    }
    if (tlsCert != null && tlsCa == null) {
      throw new InvalidRequestException("tlsCa", "a client certificate needs tlsCa (TLS) as well");
    }
    if (user != null && tlsCa == null) {
      if (!allowInsecureTransport) {
        throw new InvalidRequestException("credentials", "etcd user '" + user + "' over plain text would send its "
            + "password in the clear; configure TLS (tlsCa), or opt in with allowInsecureTransport() "
            + "(URI: allowInsecureTransport=true) on a trusted network only");
      }
      LOG.warn("{}: etcd user '{}' authenticates over plain text (allowInsecureTransport is set): the password "
          + "and the auth token cross the network unencrypted; configure TLS outside tests", description(), user);
    }
    char[] secret = password != null ? password.clone() : passwordFile != null ? readPassword(passwordFile) : null;
    try {
      return new EtcdStore(this, secret);
    } finally {
      if (secret != null) {
        Arrays.fill(secret, '\0');
      }
    }
  }

  String keyPrefixOrDefault() {
    return keyPrefix == null ? "" : keyPrefix;
  }

  Duration connectTimeoutOrDefault() {
    return connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
  }

  Duration requestTimeoutOrDefault() {
    return requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
  }

  /** Returns {@code etcd://host:port,.../prefix}, never credentials. */
  String description() {
    String prefix = keyPrefixOrDefault();
    return "etcd://" + String.join(",", endpoints) + "/"
        + (prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1))
        + (tlsCa != null ? " (tls)" : "");
  }

  private static char[] readPassword(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      try {
        CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(bytes));
        int length = chars.remaining();
        while (length > 0 && (chars.get(length - 1) == '\n' || chars.get(length - 1) == '\r')) {
          length--;
        }
        if (length == 0) {
          throw new InvalidRequestException("passwordFile", file + " is empty");
        }
        char[] password = new char[length];
        chars.get(password, 0, length);
        Arrays.fill(chars.array(), '\0');
        return password;
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    } catch (IOException e) {
      throw new InvalidRequestException("passwordFile", "cannot read " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static String hostPort(String endpoint) {
    String candidate = endpoint.trim();
    if (candidate.startsWith("http://") || candidate.startsWith("https://")) {
      URI uri = URI.create(candidate);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new InvalidRequestException("endpoints", "'" + endpoint + "' needs a host and a port");
      }
      return uri.getHost() + ":" + uri.getPort();
    }
    int colon = candidate.lastIndexOf(':');
    if (colon <= 0 || colon == candidate.length() - 1) {
      throw new InvalidRequestException("endpoints", "'" + endpoint + "' must be host:port");
    }
    try {
      int port = Integer.parseInt(candidate.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new InvalidRequestException("endpoints", "'" + endpoint + "' has port " + port + ", not 1-65535");
      }
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("endpoints", "'" + endpoint + "' has a port that is not a number", e);
    }
    return candidate;
  }

  private static Duration checkTimeout(String field, Duration timeout) {
    Objects.requireNonNull(timeout, field);
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new InvalidRequestException(field, "must be positive and at most one hour, was " + timeout);
    }
    return timeout;
  }

  private static String checkUser(String user) {
    Objects.requireNonNull(user, "user");
    if (user.isBlank()) {
      throw new InvalidRequestException("user", "must not be blank");
    }
    return user;
  }

  private static Path readable(String field, Path file) {
    Objects.requireNonNull(file, field);
    if (!Files.isReadable(file)) {
      throw new InvalidRequestException(field, file + " is not a readable file");
    }
    return file;
  }

  private static void requireUnset(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }
}
