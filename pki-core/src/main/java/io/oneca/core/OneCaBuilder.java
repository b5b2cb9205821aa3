package io.oneca.core;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.audit.AuditSink;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.health.ExpiryThresholds;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.audit.Slf4jAuditSink;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.NameConstraintsSupport;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.crypto.SigningProviders;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.policy.IssuancePolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import io.oneca.core.rotation.RotationPolicy;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures a {@link OneCa}. Required: {@link #store(VersionedStore)}, and either
 * {@link #keyEncryptionKey} or {@link #allowPlaintextCaKey()} (the CA key's protection in the store is
 * never chosen silently). Every other setting has a default, stated on its setter. Each setter validates its argument and may be called once; a second call throws
 * {@link IllegalStateException} saying the setting "was already set". Not thread-safe.
 */
public final class OneCaBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(OneCaBuilder.class);
  private static final AtomicBoolean PLAINTEXT_WARNED = new AtomicBoolean();

  /** The default store key of the CA record. */
  public static final String DEFAULT_CA_KEY = "oneca/ca";
  /** The default subject of a generated CA. */
  public static final String DEFAULT_CA_SUBJECT = "CN=OneCA Root CA";
  /** The default validity of a generated CA: ten years. */
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
  /** The default lifetime of an issued leaf when the request names none: one day. */
  public static final Duration DEFAULT_LEAF_TTL = Duration.ofHours(24);

  /** The default clock-skew tolerance: how far behind a CA's notBefore a replica's clock may be. */
  public static final Duration DEFAULT_CLOCK_SKEW_TOLERANCE = Duration.ofMinutes(5);
  /** The largest clock-skew tolerance accepted: one hour (a larger skew is a broken clock, not drift). */
  public static final Duration MAX_CLOCK_SKEW_TOLERANCE = Duration.ofHours(1);

  /** The default interval of the linearizable resync that catches missed store events. */
  public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(30);

  private VersionedStore store;
  private String caKey;
  private RotationPolicy rotationPolicy;
  private String caSubject;
  private KeyAlgorithm caKeyAlgorithm;
  private Duration caValidity;
  private Integer caPathLength;
  private Duration defaultLeafTtl;
  private InstantSource clock;
  private ScheduledExecutorService scheduler;
  private Provider provider;
  private RetryPolicy retryPolicy;
  private String replicaId;
  private String importChainPem;
  private String importKeyPem;
  private Duration resyncInterval;
  private Duration clockSkewTolerance;
  private ExpiryThresholds expiryThresholds;

  // Security settings (issue 11), kept together.
  private KeyEncryptionKey keyEncryptionKey;
  private List<KeyEncryptionKey> previousKeyEncryptionKeys;
  private Boolean allowPlaintextCaKey;
  private Boolean allowUnauthenticatedCaRecords;
  private AuditSink auditSink;
  private IssuancePolicy issuancePolicy;
  private List<String> caPermittedDnsSubtrees;

  OneCaBuilder() {}

  /**
   * Sets the store that holds the CA record. Required. {@link OneCa#close()} does not close it.
   *
   * @param store the store
   * @return this builder
   */
  public OneCaBuilder store(VersionedStore store) {
    requireUnset(this.store, "store");
    this.store = Objects.requireNonNull(store, "store");
    return this;
  }

  /**
   * Sets the store key of the CA record. Default: {@value #DEFAULT_CA_KEY}. Services that share a
   * store keep their CAs apart by key.
   *
   * @param caKey a key as {@link StoreKeys} defines it
   * @return this builder
   * @throws InvalidRequestException if the key is invalid
   */
  public OneCaBuilder caKey(String caKey) {
    requireUnset(this.caKey, "caKey");
    StoreKeys.validateKey(caKey);
    if (caKey.length() + io.oneca.core.internal.record.LineageEvidence.KEY_SUFFIX.length() > StoreKeys.MAX_KEY_LENGTH) {
      throw new InvalidRequestException("caKey", "must leave room for its lineage evidence key '<caKey>"
          + io.oneca.core.internal.record.LineageEvidence.KEY_SUFFIX + "': at most "
          + (StoreKeys.MAX_KEY_LENGTH - io.oneca.core.internal.record.LineageEvidence.KEY_SUFFIX.length())
          + " characters, was " + caKey.length());
    }
    this.caKey = caKey;
    return this;
  }

  /**
   * Sets the subject of a CA this replica generates. Default: {@value #DEFAULT_CA_SUBJECT}.
   *
   * @param distinguishedName an RFC 4514 name, for example {@code CN=Acme Edge CA,O=Acme}
   * @return this builder
   * @throws InvalidRequestException if the name cannot be parsed
   */
  public OneCaBuilder caSubject(String distinguishedName) {
    requireUnset(this.caSubject, "caSubject");
    Objects.requireNonNull(distinguishedName, "distinguishedName");
    try {
      new X500Principal(distinguishedName);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("caSubject", "'" + distinguishedName + "' is not a distinguished name", e);
    }
    this.caSubject = distinguishedName;
    return this;
  }

  /**
   * Sets the key algorithm of a CA this replica generates. Default: {@link KeyAlgorithm#EC_P256}.
   *
   * @param algorithm the algorithm
   * @return this builder
   */
  public OneCaBuilder caKeyAlgorithm(KeyAlgorithm algorithm) {
    requireUnset(this.caKeyAlgorithm, "caKeyAlgorithm");
    this.caKeyAlgorithm = Objects.requireNonNull(algorithm, "algorithm");
    return this;
  }

  /**
   * Sets the validity of a CA this replica generates. Default: 3650 days.
   *
   * @param validity at least one hour
   * @return this builder
   */
  public OneCaBuilder caValidity(Duration validity) {
    requireUnset(this.caValidity, "caValidity");
    Objects.requireNonNull(validity, "validity");
    if (validity.compareTo(Duration.ofHours(1)) < 0) {
      throw new InvalidRequestException("caValidity", "must be at least one hour, was " + validity);
    }
    this.caValidity = validity;
    return this;
  }

  /**
   * Sets the path length constraint of a generated CA. Default: 0 (it signs leaves only).
   *
   * @param pathLength 0 to 8
   * @return this builder
   */
  public OneCaBuilder caPathLength(int pathLength) {
    requireUnset(this.caPathLength, "caPathLength");
    if (pathLength < 0 || pathLength > 8) {
      throw new InvalidRequestException("caPathLength", "must be 0 to 8, was " + pathLength);
    }
    this.caPathLength = pathLength;
    return this;
  }

  /**
   * Sets the lifetime of leaves whose request names none. Default: 24 hours. Leaves never outlive the CA.
   *
   * @param ttl positive
   * @return this builder
   */
  public OneCaBuilder defaultLeafTtl(Duration ttl) {
    requireUnset(this.defaultLeafTtl, "defaultLeafTtl");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new InvalidRequestException("defaultLeafTtl", "must be positive, was " + ttl);
    }
    this.defaultLeafTtl = ttl;
    return this;
  }

  /**
   * Sets how far this replica's clock may be behind the clock of the replica that made a CA: a CA
   * whose notBefore is at most this much ahead of this replica's time is accepted (at start, when
   * following the store, and for a prepared successor). Default {@link #DEFAULT_CLOCK_SKEW_TOLERANCE}
   * (5 minutes); 0 to {@link #MAX_CLOCK_SKEW_TOLERANCE}. Beyond it, {@code start()} fails with a
   * {@link io.oneca.api.ClockSkewException} and a started replica rejects the version, naming clock
   * skew in the error and in {@link OneCa#health()}; validity is re-checked on every read, so the
   * version is adopted as soon as the clock is right. Expiry is never tolerated.
   *
   * @param tolerance the tolerance
   * @return this builder
   * @throws InvalidRequestException if negative or larger than the maximum
   */
  public OneCaBuilder clockSkewTolerance(Duration tolerance) {
    requireUnset(this.clockSkewTolerance, "clockSkewTolerance");
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative() || tolerance.compareTo(MAX_CLOCK_SKEW_TOLERANCE) > 0) {
      throw new InvalidRequestException("clockSkewTolerance", "must be between 0 and " + MAX_CLOCK_SKEW_TOLERANCE
          + ", was " + tolerance);
    }
    this.clockSkewTolerance = tolerance;
    return this;
  }

  /**
   * Sets how often a started replica re-reads the CA record with a linearizable read, to catch
   * changes a store subscription missed. Default: 30 seconds. At least 10 milliseconds.
   *
   * @param interval the interval
   * @return this builder
   */
  public OneCaBuilder resyncInterval(Duration interval) {
    requireUnset(this.resyncInterval, "resyncInterval");
    Objects.requireNonNull(interval, "interval");
    if (interval.toMillis() < 10) {
      throw new InvalidRequestException("resyncInterval", "must be at least 10 ms, was " + interval);
    }
    this.resyncInterval = interval;
    return this;
  }

  /**
   * Sets when certificates count as close to expiry in health reports and alerts. Default:
   * {@link ExpiryThresholds#DEFAULTS}.
   *
   * @param thresholds the thresholds
   * @return this builder
   */
  public OneCaBuilder expiryThresholds(ExpiryThresholds thresholds) {
    requireUnset(this.expiryThresholds, "expiryThresholds");
    this.expiryThresholds = Objects.requireNonNull(thresholds, "thresholds");
    return this;
  }

  /**
   * Sets the source of time for validity periods and expiry checks. Default: the system clock.
   *
   * @param clock the clock; tests pass a mutable one
   * @return this builder
   */
  public OneCaBuilder clock(InstantSource clock) {
    requireUnset(this.clock, "clock");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Sets the executor for background work (bootstrap attempts and their backoff). Default: one
   * daemon thread owned by the {@code OneCa} and shut down by {@link OneCa#close()}; a scheduler
   * set here is not shut down.
   *
   * @param scheduler the scheduler
   * @return this builder
   */
  public OneCaBuilder scheduler(ScheduledExecutorService scheduler) {
    requireUnset(this.scheduler, "scheduler");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * Sets the JCA provider for key generation, signing and verification. Default: BouncyCastle
   * (not registered globally) for keys; signatures as {@link #signatureProvider} says. When this is
   * set and {@link #signatureProvider} is not, this provider computes the signatures too.
   *
   * @param provider the provider
   * @return this builder
   */
  public OneCaBuilder provider(Provider provider) {
    requireUnset(this.provider, "provider");
    this.provider = Objects.requireNonNull(provider, "provider");
    return this;
  }

  /**
   * Sets how an unavailable store is retried during bootstrap. Default: {@link RetryPolicy#defaults()}.
   *
   * @param retryPolicy the policy
   * @return this builder
   */
  public OneCaBuilder bootstrapRetry(RetryPolicy retryPolicy) {
    requireUnset(this.retryPolicy, "bootstrapRetry");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    return this;
  }

  /**
   * Sets this replica's identifier for records and logs. Default: host name and process id.
   *
   * @param replicaId 1 to 128 printable characters
   * @return this builder
   */
  public OneCaBuilder replicaId(String replicaId) {
    requireUnset(this.replicaId, "replicaId");
    Objects.requireNonNull(replicaId, "replicaId");
    if (replicaId.isEmpty() || replicaId.length() > 128 || !replicaId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidRequestException("replicaId", "must be 1 to 128 printable ASCII characters without spaces");
    }
    this.replicaId = replicaId;
    return this;
  }

  /**
   * Brings your own CA: {@link OneCa#start()} stores it with the same create-if-absent as a
   * generated CA, instead of generating one. If the store already holds a different CA, that one
   * stays in use and the result says {@link io.oneca.api.BootstrapResult.Outcome#DIFFERENT_CA_STORED}.
   *
   * @param certificateChainPem the CA certificate first, then any issuers up to the root
   * @param privateKeyPem the CA's unencrypted private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC)
   * @return this builder
   */
  public OneCaBuilder importCa(String certificateChainPem, String privateKeyPem) {
    requireUnset(this.importChainPem, "importCa");
    this.importChainPem = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    this.importKeyPem = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    return this;
  }

  /**
   * Builds the {@code OneCa}; nothing touches the store until {@link OneCa#start()}.
   *
   * @return the new instance
   * @throws IllegalStateException if no store was set, or neither a key-encryption key nor
   *     {@link #allowPlaintextCaKey()} was set
   * @throws InvalidRequestException if an imported CA cannot be parsed or is not a usable CA, if
   *     ({@code maxStoreStaleness}) the staleness limit is less than twice the resync interval, or
   *     ({@code signatureProvider}) if {@link CryptoProviderChoice#CORRETTO} was chosen and Amazon
   *     Corretto Crypto Provider is unavailable
   */
  public OneCa build() {
    if (store == null) {
      throw new IllegalStateException("store is required: call store(...) before build()");
    }
    String effectiveCaKey = caKey != null ? caKey : DEFAULT_CA_KEY;
    SecuritySettings security = securitySettings(effectiveCaKey);
    Provider effectiveProvider = provider != null ? provider : Providers.bouncyCastle();
    Provider effectiveSignatureProvider = effectiveSignatureProvider(effectiveProvider);
    InstantSource effectiveClock = clock != null ? clock : InstantSource.system();
    String effectiveReplicaId = replicaId != null ? replicaId : defaultReplicaId();
    CaRecord imported = importChainPem == null ? null
        : parseImport(effectiveProvider, effectiveClock, effectiveReplicaId);
    boolean ownsScheduler = scheduler == null;
    ScheduledExecutorService effectiveScheduler = ownsScheduler
        ? Executors.newSingleThreadScheduledExecutor(runnable -> {
          Thread thread = new Thread(runnable, "oneca-" + effectiveReplicaId);
          thread.setDaemon(true);
          return thread;
        })
        : scheduler;
    return new OneCa(new OneCa.OneCaSettings(
        store,
        effectiveCaKey,
        caSubject != null ? caSubject : DEFAULT_CA_SUBJECT,
        caKeyAlgorithm != null ? caKeyAlgorithm : KeyAlgorithm.EC_P256,
        caValidity != null ? caValidity : DEFAULT_CA_VALIDITY,
        caPathLength != null ? caPathLength : 0,
        defaultLeafTtl != null ? defaultLeafTtl : DEFAULT_LEAF_TTL,
        effectiveClock,
        effectiveScheduler,
        ownsScheduler,
        effectiveProvider,
        retryPolicy != null ? retryPolicy : RetryPolicy.defaults(),
        effectiveReplicaId,
        imported,
        new SecureRandom(),
        security,
        resyncInterval != null ? resyncInterval : DEFAULT_RESYNC_INTERVAL,
        effectiveMaxStoreStaleness(resyncInterval != null ? resyncInterval : DEFAULT_RESYNC_INTERVAL),
        expiryThresholds != null ? expiryThresholds : ExpiryThresholds.DEFAULTS,
        effectiveSignatureProvider,
        rotationPolicy != null ? rotationPolicy : RotationPolicy.defaults(),
        clockSkewTolerance != null ? clockSkewTolerance : DEFAULT_CLOCK_SKEW_TOLERANCE));
  }

  /**
   * Sets how the CA rotates: thresholds, automatic steps, cross-signing, intermediate mode under an
   * offline root, an activation condition, and the leaf lifetime cap. Default
   * {@link RotationPolicy#defaults()}: SPIRE's thresholds, automatic, leaves at most 1/6 of their CA's
   * lifetime.
   *
   * @param policy the policy
   * @return this builder
   */
  public OneCaBuilder rotation(RotationPolicy policy) {
    requireUnset(this.rotationPolicy, "rotation");
    this.rotationPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  private CaRecord parseImport(Provider provider, InstantSource clock, String replica) {
    List<X509Certificate> chain = Pem.decodeCertificates(importChainPem);
    PrivateKey key = PemKeys.parsePrivateKey(importKeyPem, provider);
    CaMaterial material = new CaMaterial(chain, key, PemKeys.algorithmOf(chain.get(0).getPublicKey()));
    List<String> problems = CaChecks.problems(material, clock.instant(), provider);
    if (!problems.isEmpty()) {
      throw new InvalidRequestException("importCa", "not a usable CA: " + String.join("; ", problems));
    }
    return new CaRecord(material, List.of(chain.get(chain.size() - 1)), clock.instant(), replica);
  }

  private static String defaultReplicaId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
    }
    String id = host + "-" + ProcessHandle.current().pid();
    return id.replaceAll("[^\\x21-\\x7e]", "_");
  }

  private static void requireUnset(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  // Security settings (issue 11).

  /**
   * Sets the key-encryption key that protects the CA key in the store (AES-256-GCM for OneCA's own
   * keys, see {@link io.oneca.core.security.KeyEncryptionKeys}). Records this replica writes are
   * encrypted with it; records it reads must be encrypted with it or with one of
   * {@link #previousKeyEncryptionKeys(List)}. Default: none, in which case
   * {@link #allowPlaintextCaKey()} is required.
   *
   * @param key the key-encryption key
   * @return this builder
   */
  public OneCaBuilder keyEncryptionKey(KeyEncryptionKey key) {
    requireUnset(this.keyEncryptionKey, "keyEncryptionKey");
    this.keyEncryptionKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Sets further key-encryption keys accepted when reading, never used for writing: during a
   * rollover, replicas configured with the new key keep reading records still encrypted with the
   * old one until {@link io.oneca.core.security.KeyReencryption} has re-encrypted them. Default: none.
   *
   * @param keys the keys; their ids must differ from each other and from {@link #keyEncryptionKey}'s
   * @return this builder
   */
  public OneCaBuilder previousKeyEncryptionKeys(List<KeyEncryptionKey> keys) {
    requireUnset(this.previousKeyEncryptionKeys, "previousKeyEncryptionKeys");
    this.previousKeyEncryptionKeys = List.copyOf(keys);
    return this;
  }

  /**
   * Allows a CA key in plaintext in the store: without a {@link #keyEncryptionKey}, records are
   * written with a plaintext key (schema 1, readable by older OneCA versions); with one, records
   * holding a plaintext key are still accepted when read (for migrating, before
   * {@link io.oneca.core.security.KeyReencryption} encrypts them). Anyone who can read the store
   * then holds the CA, and anyone who can write it can change the record: a plaintext record is
   * never authenticated, so with a key-encryption key this also implies
   * {@link #allowUnauthenticatedCaRecords()}. Logs a warning. Default: not allowed; a replica with
   * neither this nor a key-encryption key fails to build, and a replica with a key-encryption key
   * refuses plaintext records.
   *
   * @return this builder
   */
  public OneCaBuilder allowPlaintextCaKey() {
    requireUnset(this.allowPlaintextCaKey, "allowPlaintextCaKey");
    this.allowPlaintextCaKey = Boolean.TRUE;
    return this;
  }

  /**
   * Accepts encrypted CA records written before OneCA authenticated whole records (schema 2, or 3
   * with an encrypted key), for migrating: such a record's trust bundle, cross-certificates and
   * retired CAs may have been changed by anyone who can write the store. Records this replica
   * writes are always authenticated; {@link io.oneca.core.security.KeyReencryption} authenticates
   * the stored record explicitly (with the same key-encryption key). Needs
   * {@link #keyEncryptionKey}. Logs a warning at build and whenever such a record is read. Default:
   * refused, as an {@link io.oneca.api.UnreadableRecordException} that names the remedy.
   *
   * @return this builder
   */
  public OneCaBuilder allowUnauthenticatedCaRecords() {
    requireUnset(this.allowUnauthenticatedCaRecords, "allowUnauthenticatedCaRecords");
    this.allowUnauthenticatedCaRecords = Boolean.TRUE;
    return this;
  }

  /**
   * Sets where audit events go (CA created or adopted, every issuance and refusal). Default: one
   * line per event on the SLF4J logger {@code io.oneca.audit}.
   *
   * @param sink the sink
   * @return this builder
   */
  public OneCaBuilder auditSink(AuditSink sink) {
    requireUnset(this.auditSink, "auditSink");
    this.auditSink = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * Sets what the CA agrees to certify. Default: {@link IssuancePolicy#defaults()}.
   *
   * @param policy the policy
   * @return this builder
   */
  public OneCaBuilder issuancePolicy(IssuancePolicy policy) {
    requireUnset(this.issuancePolicy, "issuancePolicy");
    this.issuancePolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Gives a CA this replica generates critical name constraints: the DNS names of every leaf it
   * signs must lie within these subtrees ({@code example.com} permits it and every name below).
   * Issuance refuses names outside them. Does not apply to an imported CA or to a CA another
   * replica created. Default: no name constraints.
   *
   * @param subtrees DNS names without wildcards
   * @return this builder
   * @throws InvalidRequestException ({@code caPermittedDnsSubtrees}) if one is not a DNS name
   */
  public OneCaBuilder caPermittedDnsSubtrees(List<String> subtrees) {
    requireUnset(this.caPermittedDnsSubtrees, "caPermittedDnsSubtrees");
    this.caPermittedDnsSubtrees = NameConstraintsSupport.validate(subtrees);
    return this;
  }

  private SecuritySettings securitySettings(String effectiveCaKey) {
    boolean plaintext = allowPlaintextCaKey != null;
    if (keyEncryptionKey == null && !plaintext) {
      throw new IllegalStateException("the CA key needs protection in the store: set keyEncryptionKey(...)"
          + " (see KeyEncryptionKeys), or call allowPlaintextCaKey() to store it unencrypted");
    }
    if (keyEncryptionKey == null && previousKeyEncryptionKeys != null && !previousKeyEncryptionKeys.isEmpty()) {
      throw new IllegalStateException("previousKeyEncryptionKeys needs keyEncryptionKey to be set too");
    }
    boolean unauthenticated = allowUnauthenticatedCaRecords != null;
    if (keyEncryptionKey == null && unauthenticated) {
      throw new IllegalStateException("allowUnauthenticatedCaRecords needs keyEncryptionKey to be set too");
    }
    CaKeyProtection protection;
    if (keyEncryptionKey == null) {
      protection = CaKeyProtection.plaintext();
      if (PLAINTEXT_WARNED.compareAndSet(false, true)) {
        LOG.warn("CA key '{}' is stored WITHOUT encryption (allowPlaintextCaKey): anyone who can read the store"
            + " holds the CA; configure a key-encryption key", effectiveCaKey);
      }
    } else {
      try {
        protection = CaKeyProtection.encrypted(keyEncryptionKey,
            previousKeyEncryptionKeys == null ? List.of() : previousKeyEncryptionKeys, plaintext, unauthenticated);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("keyEncryptionKey", e.getMessage());
      }
      if (plaintext) {
        LOG.warn("CA key '{}': plaintext records are still accepted (allowPlaintextCaKey); encrypt them with"
            + " KeyReencryption and remove the opt-in", effectiveCaKey);
      }
      if (unauthenticated) {
        LOG.warn("CA key '{}': records written before whole-record authentication are still accepted"
            + " (allowUnauthenticatedCaRecords); authenticate them with KeyReencryption and remove the opt-in",
            effectiveCaKey);
      }
    }
    return new SecuritySettings(protection,
        auditSink != null ? auditSink : Slf4jAuditSink.instance(),
        issuancePolicy != null ? issuancePolicy : IssuancePolicy.defaults(),
        caPermittedDnsSubtrees != null ? caPermittedDnsSubtrees : List.of());
  }

  // Signature provider (issue 10).
  private CryptoProviderChoice signatureProvider;

  /**
   * Chooses the provider that computes signatures: the CA's on certificates and the check of each
   * CSR's proof of possession (BouncyCastle still builds and parses every X.509 structure). Default:
   * {@link CryptoProviderChoice#AUTO}, which uses Amazon Corretto Crypto Provider when it is on the
   * class path and healthy and BouncyCastle otherwise — unless {@link #provider(Provider)} was set,
   * in which case that provider signs. Which provider signs is logged once at INFO.
   *
   * @param choice the choice
   * @return this builder
   */
  public OneCaBuilder signatureProvider(CryptoProviderChoice choice) {
    requireUnset(this.signatureProvider, "signatureProvider");
    this.signatureProvider = Objects.requireNonNull(choice, "choice");
    return this;
  }

  private Provider effectiveSignatureProvider(Provider effectiveProvider) {
    if (signatureProvider == null && provider != null) {
      return effectiveProvider;
    }
    return SigningProviders.select(signatureProvider != null ? signatureProvider : CryptoProviderChoice.AUTO);
  }

  // Store staleness (issue 20, item 9).
  /** The lower bound of the default {@link #maxStoreStaleness(Duration)}: five minutes. */
  public static final Duration DEFAULT_MAX_STORE_STALENESS = Duration.ofMinutes(5);
  private Duration maxStoreStaleness;

  /**
   * Sets how long a started replica may go without a successful read of the CA record (a resync, a
   * store event, a reload) before it refuses to issue with {@link CaStaleException}: past it, the CA
   * it holds may have been rotated away or forcibly distrusted while it was cut off from the store.
   * Health reports it as the {@code store-staleness} check (DOWN while refusing). Managed identities
   * keep serving their current certificate and retry; issuance resumes with the next successful read.
   * Default: {@link #DEFAULT_MAX_STORE_STALENESS} (5 minutes) or 4 resync intervals, whichever is
   * longer. Must be at least twice the resync interval (checked by {@link #build()}), so that one
   * failed resync alone never stops issuance. There is no mode that caps the certificate lifetime
   * instead of refusing; a longer limit is the way to tolerate longer partitions.
   *
   * @param limit the longest time without a successful store read; positive
   * @return this builder
   */
  public OneCaBuilder maxStoreStaleness(Duration limit) {
    requireUnset(this.maxStoreStaleness, "maxStoreStaleness");
    Objects.requireNonNull(limit, "limit");
    if (limit.isNegative() || limit.isZero()) {
      throw new InvalidRequestException("maxStoreStaleness", "must be positive, was " + limit);
    }
    this.maxStoreStaleness = limit;
    return this;
  }

  private Duration effectiveMaxStoreStaleness(Duration effectiveResync) {
    if (maxStoreStaleness == null) {
      Duration multiple = effectiveResync.multipliedBy(4);
      return multiple.compareTo(DEFAULT_MAX_STORE_STALENESS) > 0 ? multiple : DEFAULT_MAX_STORE_STALENESS;
    }
    if (maxStoreStaleness.compareTo(effectiveResync.multipliedBy(2)) < 0) {
      throw new InvalidRequestException("maxStoreStaleness", "must be at least twice the resync interval ("
          + effectiveResync + "), was " + maxStoreStaleness);
    }
    return maxStoreStaleness;
  }
}
