package io.oneca.backend.zk;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * Configures a {@link ZooKeeperStore}. Every setter validates its argument and may be called once
 * ({@link IllegalStateException} "... was already set" otherwise). Either {@link #connectString} or
 * {@link #client} is required.
 *
 * <p>Defaults: namespace {@value #DEFAULT_NAMESPACE}; session timeout 30 s; connection timeout
 * 15 s; retry policy (for reads and connection handling only, never for writes) exponential
 * backoff from 100 ms, at most 5 retries; with credentials, not world-readable; 4 I/O threads.
 *
 * <p>Security default: {@link #build()} refuses a store without {@linkplain #credentials digest
 * credentials}, because its znodes would get ZooKeeper's open ACL ({@code world:anyone}, all
 * rights) and anyone who can reach ZooKeeper could replace or delete the CA record. Opt in with
 * {@link #allowOpenAcl(boolean)} (for tests), which logs a warning.
 */
public final class ZooKeeperStoreBuilder {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZooKeeperStoreBuilder.class);
  /** The namespace used unless {@link #namespace} is called. */
  public static final String DEFAULT_NAMESPACE = "oneca";

  // ZooDefs.Ids.ANYONE_ID_UNSAFE, spelled out: ZooDefs.Ids carries annotations whose class is not
  // on the class path, which javac reports as a warning.
  private static final Id ANYONE = new Id("world", "anyone");

  private String connectString;
  private CuratorFramework client;
  private String namespace;
  private Duration sessionTimeout;
  private Duration connectionTimeout;
  private RetryPolicy retryPolicy;
  private String user;
  private byte[] password;
  private Boolean worldReadable;
  private Boolean allowOpenAcl;
  private Integer ioThreads;
  private java.util.function.UnaryOperator<SubscriptionReads> readDecorator = java.util.function.UnaryOperator.identity();

  ZooKeeperStoreBuilder() {}

  /** Wraps the reads that feed subscriptions; for tests that make reads fail. */
  ZooKeeperStoreBuilder subscriptionReadsForTest(java.util.function.UnaryOperator<SubscriptionReads> decorator) {
    this.readDecorator = Objects.requireNonNull(decorator, "decorator");
    return this;
  }

  /**
   * Sets the ensemble to connect to. Required unless {@link #client} is given.
   *
   * @param connectString comma-separated {@code host:port} pairs, e.g. {@code zk1:2181,zk2:2181}
   * @return this builder
   * @throws InvalidRequestException if a pair is not {@code host:port} with a port from 1 to 65535
   */
  public ZooKeeperStoreBuilder connectString(String connectString) {
    requireUnset(this.connectString, "connectString");
    Objects.requireNonNull(connectString, "connectString");
    if (connectString.isEmpty()) {
      throw new InvalidRequestException("connectString", "is empty");
    }
    for (String pair : connectString.split(",", -1)) {
      int colon = pair.lastIndexOf(':');
      if (colon <= 0 || pair.contains("/") || pair.contains("@")) {
        throw new InvalidRequestException("connectString", "'" + pair + "' is not host:port (no chroot, no credentials)");
      }
      int port;
      try {
        port = Integer.parseInt(pair.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("connectString", "'" + pair + "' has no numeric port", e);
      }
      if (port < 1 || port > 65535) {
        throw new InvalidRequestException("connectString", "port of '" + pair + "' must be 1 to 65535");
      }
    }
    this.connectString = connectString;
    return this;
  }

  /**
   * Uses a Curator client the caller owns instead of creating one; the store never closes it.
   * The client must be started. Its own namespace, if any, is ignored: paths come from
   * {@link #namespace}. If its znodes must be protected, build the client with the same digest
   * {@code authorization} as given to {@link #credentials}, which then only sets the ACL.
   *
   * @param client a started client
   * @return this builder
   */
  public ZooKeeperStoreBuilder client(CuratorFramework client) {
    requireUnset(this.client, "client");
    Objects.requireNonNull(client, "client");
    if (client.getState() != CuratorFrameworkState.STARTED) {
      throw new InvalidRequestException("client", "the Curator client must be started, its state is " + client.getState());
    }
    this.client = client;
    return this;
  }

  /**
   * Sets the znode under which every key lives (a chroot for this store). Default:
   * {@value #DEFAULT_NAMESPACE}, i.e. znode {@code /oneca}.
   *
   * @param namespace one or more segments with the syntax of a store key, e.g. {@code apps/oneca}
   * @return this builder
   */
  public ZooKeeperStoreBuilder namespace(String namespace) {
    requireUnset(this.namespace, "namespace");
    Objects.requireNonNull(namespace, "namespace");
    try {
      KeyPaths.basePath(namespace);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("namespace", e.getMessage(), e);
    }
    this.namespace = namespace;
    return this;
  }

  /**
   * Sets the ZooKeeper session timeout (the server clamps it to its min and max). Default: 30 s.
   *
   * @param timeout 1 s to 10 min
   * @return this builder
   */
  public ZooKeeperStoreBuilder sessionTimeout(Duration timeout) {
    requireUnset(this.sessionTimeout, "sessionTimeout");
    this.sessionTimeout = checkRange("sessionTimeout", timeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
    return this;
  }

  /**
   * Sets how long an operation waits for a connection before failing with
   * {@link StoreUnavailableException}. Default: 15 s.
   *
   * @param timeout 100 ms to 10 min
   * @return this builder
   */
  public ZooKeeperStoreBuilder connectionTimeout(Duration timeout) {
    requireUnset(this.connectionTimeout, "connectionTimeout");
    this.connectionTimeout = checkRange("connectionTimeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(10));
    return this;
  }

  /**
   * Sets Curator's retry policy, used for reads and connection handling. Writes are never retried
   * by it: a write whose reply is lost is settled by a re-read. Default: exponential backoff from
   * 100 ms, at most 5 retries.
   *
   * @param retryPolicy the policy
   * @return this builder
   */
  public ZooKeeperStoreBuilder retryPolicy(RetryPolicy retryPolicy) {
    requireUnset(this.retryPolicy, "retryPolicy");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    return this;
  }

  /**
   * Authenticates with ZooKeeper's {@code digest} scheme and protects every znode the store creates:
   * all rights for this identity, nothing (or, see {@link #worldReadable}, read) for anyone else.
   * The password is copied (clear your array afterwards) and never logged. Default: none.
   *
   * @param user the digest user name; no {@code :}
   * @param password the password, not empty
   * @return this builder
   */
  public ZooKeeperStoreBuilder credentials(String user, char[] password) {
    requireUnset(this.user, "credentials");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isEmpty() || user.contains(":") || user.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidRequestException("user", "must be non-empty without ':' or whitespace");
    }
    if (password.length == 0) {
      throw new InvalidRequestException("password", "is empty");
    }
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    this.user = user;
    this.password = bytes;
    return this;
  }

  /**
   * Like {@link #credentials(String, char[])} with the password read from a file (UTF-8; one
   * trailing line break is ignored), so that it need not appear in configuration.
   *
   * @param user the digest user name
   * @param passwordFile a readable file holding the password
   * @return this builder
   * @throws InvalidRequestException if the file cannot be read or is empty; names the file, not its content
   */
  public ZooKeeperStoreBuilder credentialsFromFile(String user, Path passwordFile) {
    Objects.requireNonNull(passwordFile, "passwordFile");
    byte[] content;
    try {
      content = Files.readAllBytes(passwordFile);
    } catch (IOException e) {
      throw new InvalidRequestException("passwordFile", "cannot read " + passwordFile + ": " + e.getClass().getSimpleName(), e);
    }
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
    }
    if (end > 0 && content[end - 1] == '\r') {
      end--;
    }
    CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(content, 0, end));
    char[] chars = new char[decoded.remaining()];
    decoded.get(chars);
    Arrays.fill(content, (byte) 0);
    if (decoded.hasArray()) {
      Arrays.fill(decoded.array(), '\0');
    }
    try {
      return credentials(user, chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * Whether anyone may read the znodes the store creates. Default: {@code false}, because the CA
   * record holds the CA private key (encrypted only if a key-encryption key is configured).
   * Requires {@link #credentials}.
   *
   * @param worldReadable whether to add {@code world:anyone} read to the ACL
   * @return this builder
   */
  public ZooKeeperStoreBuilder worldReadable(boolean worldReadable) {
    requireUnset(this.worldReadable, "worldReadable");
    this.worldReadable = worldReadable;
    return this;
  }

  /**
   * Whether a store without {@linkplain #credentials credentials} may be built. Its znodes then get
   * ZooKeeper's open ACL ({@code world:anyone}, all rights): anyone who can reach ZooKeeper can
   * read the CA record (with the CA key, encrypted only if a key-encryption key is configured),
   * replace it or delete it. Default: {@code false}, and {@link #build()} refuses a store without
   * credentials. Meant for tests; {@link #build()} logs a warning when it is used. URI:
   * {@code allowOpenAcl=true}.
   *
   * @param allowOpenAcl whether to allow the open ACL
   * @return this builder
   */
  public ZooKeeperStoreBuilder allowOpenAcl(boolean allowOpenAcl) {
    requireUnset(this.allowOpenAcl, "allowOpenAcl");
    this.allowOpenAcl = allowOpenAcl;
    return this;
  }

  /**
   * Sets how many threads run blocking ZooKeeper calls; listeners never run on them. Default: 4.
   *
   * @param threads 1 to 64
   * @return this builder
   */
  public ZooKeeperStoreBuilder ioThreads(int threads) {
    requireUnset(this.ioThreads, "ioThreads");
    if (threads < 1 || threads > 64) {
      throw new InvalidRequestException("ioThreads", "must be 1 to 64, was " + threads);
    }
    this.ioThreads = threads;
    return this;
  }

  /**
   * Builds and starts the store. It connects in the background; operations wait up to the
   * connection timeout for a connection.
   *
   * @return the store
   * @throws IllegalStateException if neither or both of connect string and client were given, or a
   *     provided client was combined with connection settings
   * @throws InvalidRequestException (field {@code credentials}) if no credentials are set and
   *     {@link #allowOpenAcl(boolean)} is not {@code true}; nothing was started
   */
  public ZooKeeperStore build() {
    if ((connectString == null) == (client == null)) {
      throw new IllegalStateException("exactly one of connectString and client must be set");
    }
    if (client != null && (sessionTimeout != null || connectionTimeout != null || retryPolicy != null)) {
      throw new IllegalStateException("sessionTimeout, connectionTimeout and retryPolicy belong to the provided client");
    }
    if (Boolean.TRUE.equals(worldReadable) && user == null) {
      throw new IllegalStateException("worldReadable needs credentials");
    }
    if (user == null && !Boolean.TRUE.equals(allowOpenAcl)) {
      throw new InvalidRequestException("credentials", "none set: the store's znodes would get ZooKeeper's open ACL "
          + "(world:anyone, all rights), so anyone who can reach ZooKeeper could replace or delete the CA record; "
          + "set digest credentials, or opt in with allowOpenAcl(true) (URI: allowOpenAcl=true) for tests");
    }
    String base = KeyPaths.basePath(namespace != null ? namespace : DEFAULT_NAMESPACE);
    boolean owns = client == null;
    CuratorFramework curator = owns ? newClient() : client;
    String hosts = owns ? connectString : curator.getZookeeperClient().getCurrentConnectionString();
    String backend = "zk://" + hosts + base;
    if (user == null) {
      LOG.warn("{}: no credentials, and allowOpenAcl is set: znodes get ZooKeeper's open ACL (world:anyone, all rights); "
          + "anyone who can reach ZooKeeper can replace or delete the CA record. Use digest credentials outside tests", backend);
    }
    Operations ops = new Operations(curator, new KeyPaths(base), acl(), backend, user != null);
    ExecutorService io = Executors.newFixedThreadPool(ioThreads != null ? ioThreads : 4, daemon("oneca-zk-io"));
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(daemon("oneca-zk-watch"));
    return new ZooKeeperStore(curator, owns, ops, io, worker, readDecorator);
  }

  private CuratorFramework newClient() {
    CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(millis(sessionTimeout, Duration.ofSeconds(30)))
        .connectionTimeoutMs(millis(connectionTimeout, Duration.ofSeconds(15)))
        .retryPolicy(retryPolicy != null ? retryPolicy : new ExponentialBackoffRetry(100, 5));
    if (user != null) {
      b.authorization("digest", digestCredentials());
    }
    CuratorFramework created = b.build();
    created.start();
    return created;
  }

  private List<ACL> acl() {
    if (user == null) {
      return List.of(new ACL(ZooDefs.Perms.ALL, ANYONE));
    }
    byte[] credentials = digestCredentials();
    String digest;
    try {
      // ZooKeeper's digest scheme: the id is user:base64(sha1(user:password)).
      digest = user + ":" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(credentials));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable for ZooKeeper digest ACLs", e);
    } finally {
      Arrays.fill(credentials, (byte) 0);
    }
    ACL owner = new ACL(ZooDefs.Perms.ALL, new Id("digest", digest));
    if (Boolean.TRUE.equals(worldReadable)) {
      return List.of(owner, new ACL(ZooDefs.Perms.READ, ANYONE));
    }
    return List.of(owner);
  }

  private byte[] digestCredentials() {
    byte[] prefix = (user + ":").getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(prefix, prefix.length + password.length);
    System.arraycopy(password, 0, all, prefix.length, password.length);
    return all;
  }

  private static int millis(Duration value, Duration fallback) {
    return Math.toIntExact((value != null ? value : fallback).toMillis());
  }

  private static Duration checkRange(String field, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, field);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidRequestException(field, "must be " + min + " to " + max + ", was " + value);
    }
    return value;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void requireUnset(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  @Override
  public String toString() {
    return "ZooKeeperStoreBuilder[connectString=" + connectString + ", client=" + (client != null)
        + ", namespace=" + namespace + ", sessionTimeout=" + sessionTimeout + ", connectionTimeout=" + connectionTimeout
        + ", retryPolicy=" + (retryPolicy == null ? null : retryPolicy.getClass().getSimpleName())
        + ", user=" + user + (password != null ? ", password=<set>" : "") + ", worldReadable=" + worldReadable
        + ", allowOpenAcl=" + allowOpenAcl + ", ioThreads=" + ioThreads + "]";
  }
}
