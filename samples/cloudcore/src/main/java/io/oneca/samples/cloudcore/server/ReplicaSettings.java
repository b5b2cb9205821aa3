package io.oneca.samples.cloudcore.server;

import io.oneca.api.store.VersionedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one cloud replica runs: its id, its store, its secrets and its listeners.
 *
 * @param replicaId the replica's name, unique among replicas (audit, logs, the hub's status)
 * @param storeUri the store, as {@code file:/dir}, {@code etcd://...}, {@code zk://...} or {@code k8s://ns}; ignored when {@code store} is given
 * @param store an already open store the replica uses and does not close (tests), or {@code null}
 * @param kekFile the key-encryption key of the CA's private key in the store
 * @param tokenKeyFile the HMAC key of join tokens, shared by every replica and the operator who mints tokens
 * @param bindHost the address both listeners bind
 * @param joinPort the HTTPS port of the join, health and metrics endpoints ({@code 0}: any free port)
 * @param hubPort the mTLS port of the edge hub ({@code 0}: any free port)
 * @param identityTtl the lifetime of the replica's own serving certificate
 * @param edgeTtl the lifetime of certificates issued to edge nodes
 * @param heartbeat how often an idle hub stream carries a heartbeat
 * @param caSubject the CA's distinguished name when this replica creates it
 */
public record ReplicaSettings(
    String replicaId, String storeUri, VersionedStore store, Path kekFile, Path tokenKeyFile, String bindHost,
    int joinPort, int hubPort, Duration identityTtl, Duration edgeTtl, Duration heartbeat, String caSubject) {

  /** The default lifetime of replica and edge certificates. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  /** The default hub heartbeat. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
  /** The default CA subject. */
  public static final String DEFAULT_CA_SUBJECT = "CN=CloudCore CA,O=OneCA sample";

  /** Validates every field. */
  public ReplicaSettings {
    if (replicaId == null || !replicaId.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("replica id must be a DNS label, was " + replicaId);
    }
    if (store == null && (storeUri == null || storeUri.isBlank())) {
      throw new IllegalArgumentException("a store URI or an open store is required");
    }
    Objects.requireNonNull(kekFile, "kekFile");
    Objects.requireNonNull(tokenKeyFile, "tokenKeyFile");
    Objects.requireNonNull(bindHost, "bindHost");
    requirePort(joinPort, "joinPort");
    requirePort(hubPort, "hubPort");
    requirePositive(identityTtl, "identityTtl");
    requirePositive(edgeTtl, "edgeTtl");
    requirePositive(heartbeat, "heartbeat");
    Objects.requireNonNull(caSubject, "caSubject");
  }

  /** Returns the open store given by a test, if any. */
  public Optional<VersionedStore> openStore() {
    return Optional.ofNullable(store);
  }

  /**
   * Starts settings for a replica.
   *
   * @param replicaId the replica's name
   * @return a builder with the defaults: bind 127.0.0.1, free ports, 1 h certificates, 2 s heartbeat
   */
  public static Builder builder(String replicaId) {
    return new Builder(replicaId);
  }

  private static void requirePort(int port, String name) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be 0 to 65535, was " + port);
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  /** Builds {@link ReplicaSettings}. */
  public static final class Builder {
    private final String replicaId;
    private String storeUri;
    private VersionedStore store;
    private Path kekFile;
    private Path tokenKeyFile;
    private String bindHost = "127.0.0.1";
    private int joinPort;
    private int hubPort;
    private Duration identityTtl = DEFAULT_TTL;
    private Duration edgeTtl = DEFAULT_TTL;
    private Duration heartbeat = DEFAULT_HEARTBEAT;
    private String caSubject = DEFAULT_CA_SUBJECT;

    private Builder(String replicaId) {
      this.replicaId = replicaId;
    }

    /** Sets the store URI (required unless {@link #store(VersionedStore)} is used). */
    public Builder storeUri(String uri) {
      this.storeUri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** Uses an open store; the replica does not close it. */
    public Builder store(VersionedStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Sets the key-encryption key file (required). */
    public Builder kekFile(Path file) {
      this.kekFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Sets the join-token HMAC key file (required). */
    public Builder tokenKeyFile(Path file) {
      this.tokenKeyFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Sets the bind address (default {@code 127.0.0.1}). */
    public Builder bindHost(String host) {
      this.bindHost = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Sets the join port (default 0: a free port). */
    public Builder joinPort(int port) {
      this.joinPort = port;
      return this;
    }

    /** Sets the hub port (default 0: a free port). */
    public Builder hubPort(int port) {
      this.hubPort = port;
      return this;
    }

    /** Sets the replica's certificate lifetime (default 1 h). */
    public Builder identityTtl(Duration ttl) {
      this.identityTtl = ttl;
      return this;
    }

    /** Sets the lifetime of edge certificates (default 1 h). */
    public Builder edgeTtl(Duration ttl) {
      this.edgeTtl = ttl;
      return this;
    }

    /** Sets the hub heartbeat (default 2 s). */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    /** Sets the CA subject used if this replica creates the CA (default {@code CN=CloudCore CA,O=OneCA sample}). */
    public Builder caSubject(String subject) {
      this.caSubject = Objects.requireNonNull(subject, "subject");
      return this;
    }

    /** Builds and validates the settings. */
    public ReplicaSettings build() {
      return new ReplicaSettings(replicaId, storeUri, store, kekFile, tokenKeyFile, bindHost, joinPort, hubPort,
          identityTtl, edgeTtl, heartbeat, caSubject);
    }
  }
}
