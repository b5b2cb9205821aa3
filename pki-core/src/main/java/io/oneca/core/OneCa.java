package io.oneca.core;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Fingerprint;
import io.oneca.api.OneCaException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.health.ExpiryAlert;
import io.oneca.core.health.ExpiryLevel;
import io.oneca.core.health.ExpiryThresholds;
import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthReport;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.tls.DriftReport;
import io.oneca.core.internal.audit.Auditor;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.record.RetiredCa;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationPolicy;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.security.auth.DestroyFailedException;
import io.oneca.core.internal.crypto.LeafIssuer;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One replica's handle on the one CA its service shares with every other replica.
 *
 * <p>{@link #start()} bootstraps: it reads the CA record from the store; if there is none it
 * proposes a new CA with a create-if-absent compare-and-set, and whether it wins or loses it uses
 * only the CA the store confirmed. Replicas that start at the same instant therefore all end up on
 * the same CA (the split-brain bug of KubeEdge CloudCore cannot happen). A stored record that
 * cannot be used fails {@code start()} and is never overwritten, and a CA is never founded where
 * the store's lineage evidence says one existed.
 *
 * <pre>{@code
 * try (VersionedStore store = FileSystemStore.open(Path.of("/var/lib/myservice/oneca"));
 *      OneCa oneCa = OneCa.builder().store(store)
 *          .keyEncryptionKey(KeyEncryptionKeys.fromEnvironment("ONECA_KEK")).build()) {
 *   BootstrapResult started = oneCa.start();
 *   IssuedCertificate cert = oneCa.issue(
 *       CertificateRequest.fromCsr(csrBytes).dnsName("node-1.example.com").build());
 * }
 * }</pre>
 *
 * <p>After the bootstrap the replica follows the store: a subscription and a periodic
 * linearizable resync (every 30 seconds by default) offer each stored version to an in-memory cache
 * that only moves forward, so memory never silently diverges from the store (the Kong and kops
 * incidents). {@link #consistency()} and {@link #health()} report how memory compares with the store;
 * {@link #identity(IdentitySpec)} gives this process a certificate that renews itself and follows CA
 * changes into live TLS contexts. Thread-safe.
 */
public final class OneCa implements AutoCloseable {
  private final OneCaSettings settings;
  private final CaRecordCodec codec;
  private final LeafIssuer issuer;
  private final IssuanceAudit audit;
  private final CompletableFuture<BootstrapResult> started = new CompletableFuture<>();
  private final CaCache cache;
  private final OneCaStats stats = new OneCaStats();
  private final CaFollower follower;
  private final ExpiryMonitor expiry;
  private final List<ManagedIdentity> identities = new CopyOnWriteArrayList<>();
  private final CaRotation rotation;
  private final CaFactory caFactory;
  private final LineageLedger ledger;
  private volatile boolean closed;
  private boolean startCalled;
  private ScheduledFuture<?> expiryChecks;
  private ScheduledFuture<?> rotationChecks;

  OneCa(OneCaSettings settings) {
    this.settings = settings;
    this.codec = new CaRecordCodec(settings.provider(), settings.security().keyProtection());
    this.issuer = new LeafIssuer(settings.signatureProvider(), settings.random(), settings.security().issuancePolicy());
    this.audit = new IssuanceAudit(new Auditor(settings.security().auditSink(), settings.clock(),
        settings.replicaId(), settings.caKey()));
    this.cache = new CaCache(settings.caKey(), settings.store().backend(), codec, settings.provider(),
        settings.clock(), settings.clockSkewTolerance());
    this.ledger = new LineageLedger(settings.store(), settings.caKey(), settings.clock(), settings.replicaId());
    this.follower = new CaFollower(settings.store(), settings.caKey(), cache, settings.scheduler(), settings.clock(),
        settings.resyncInterval(), stats, audit, ledger);
    this.expiry = new ExpiryMonitor(settings.expiryThresholds());
    this.caFactory = new CaFactory(settings);
    this.rotation = new CaRotation(this, settings.rotationPolicy());
    follower.onChange(view -> {
      CaCache.CaState state = cache.current();
      rotation.observe(state.version(), state.record());
    });
  }

  /** Returns a builder; {@link OneCaBuilder#store(VersionedStore)} is the one required setting. */
  public static OneCaBuilder builder() {
    return new OneCaBuilder();
  }

  /**
   * Bootstraps the CA and waits for it. Calling it again returns the first result.
   *
   * @return how the CA was obtained, and the CA
   * @throws io.oneca.api.StoreUnavailableException if the store stayed unavailable for every
   *     attempt of the retry policy; no CA is in use then
   * @throws io.oneca.api.UnreadableRecordException if the stored record (or its lineage evidence)
   *     cannot be used; it was not modified
   * @throws io.oneca.api.CaLineageException if the record is absent but its lineage evidence says a CA
   *     existed: no new CA is founded (see {@link CaLineageReset})
   * @throws io.oneca.api.ClockSkewException if the stored CA is not valid yet by this replica's clock,
   *     beyond {@link OneCaBuilder#clockSkewTolerance(Duration)}
   * @throws IllegalStateException if this instance was closed
   */
  public BootstrapResult start() {
    try {
      return startAsync().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OneCaException("interrupted while bootstrapping CA key '" + settings.caKey() + "'", e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /**
   * Starts the bootstrap on the scheduler and returns at once.
   *
   * @return completes with the result, or exceptionally as {@link #start()} throws
   */
  public CompletableFuture<BootstrapResult> startAsync() {
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("OneCa is closed"));
      }
      if (startCalled) {
        return started.copy();
      }
      startCalled = true;
    }
    Supplier<CaRecord> candidates = settings.importedCa() != null
        ? settings::importedCa
        : caFactory::firstCa;
    Bootstrap bootstrap = new Bootstrap(settings.store(), settings.caKey(), codec, settings.provider(),
        settings.clock(), settings.scheduler(), settings.retryPolicy(), settings.random(), candidates,
        settings.importedCa() != null, ledger, settings.clockSkewTolerance());
    bootstrap.run().whenComplete((adoption, error) -> {
      audit.bootstrap(adoption == null ? null : adoption.outcome(), adoption == null ? null : adoption.record(),
          adoption == null ? 0 : adoption.version(), error);
      if (error != null) {
        started.completeExceptionally(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
        return;
      }
      CaView view = cache.adoptDecoded(adoption.stored(), adoption.record()).state().view();
      rotation.observe(adoption.version(), adoption.record());
      synchronized (this) {
        if (!closed) {
          follower.start();
          long millis = Math.min(settings.resyncInterval().toMillis(), Duration.ofMinutes(1).toMillis());
          expiryChecks = settings.scheduler().scheduleWithFixedDelay(this::checkExpiryQuietly, millis, millis,
              TimeUnit.MILLISECONDS);
          if (settings.rotationPolicy().automatic()) {
            long rotationMillis = settings.rotationPolicy().checkInterval().toMillis();
            rotationChecks = settings.scheduler().scheduleWithFixedDelay(rotation::automaticStep, rotationMillis,
                rotationMillis, TimeUnit.MILLISECONDS);
          }
        }
      }
      started.complete(new BootstrapResult(adoption.outcome(), view, adoption.attempts()));
    });
    return started.copy();
  }

  /**
   * Returns the CA this replica uses now: the newest usable version the store has confirmed.
   *
   * @return the CA, without its private key
   * @throws IllegalStateException if {@link #start()} has not completed successfully
   */
  public CaView ca() {
    return requireAdopted().view();
  }

  /**
   * Reads the store now and adopts a newer usable version if there is one; otherwise keeps the CA in
   * use. The follower does this on its own; call it when you know the record changed.
   *
   * @return completes with the CA in use afterwards, or exceptionally if the store cannot be read
   */
  public CompletableFuture<CaView> reload() {
    requireAdopted();
    return follower.reload();
  }

  /**
   * Compares the CA in memory with the record in the store, with a linearizable read. Does not
   * change what is in use.
   *
   * @return completes with the comparison; never exceptionally for store problems, which are a status
   */
  public CompletableFuture<Consistency> consistency() {
    CaCache.CaState memory = requireAdopted();
    return settings.store().get(settings.caKey()).handle((stored, error) -> compare(memory, stored, error));
  }

  /**
   * Registers a listener called with every CA version this replica adopts after the bootstrap, on
   * OneCA's scheduler. Only CAs that continue this replica's line are adopted (see the pki-core
   * README, "CA lineage"); after the store went backwards a re-adopted version may be lower than
   * the previous one.
   *
   * <p>Threads and ordering: listeners run on OneCA's scheduler ({@link OneCaBuilder#scheduler}),
   * never on a store I/O thread nor on the thread that read or wrote the store, and one call at a time
   * (no two listener calls overlap, for this or any other listener of this {@code OneCa}). States
   * arrive in adoption order, never an earlier adoption after a later one; versions strictly increase,
   * except that after a detected store regression a re-adopted version of this replica's own line may
   * be lower than the previous one (health reports {@code ca-regression} then). When adoptions come faster than the listeners run, only the newest
   * pending version is delivered (intermediate versions are skipped), so a listener must act on the
   * view it receives as the whole current state, not as a delta. A listener that throws is logged and
   * does not stop the others. A listener registered while a delivery is under way may first be called
   * with a version adopted just before it registered. Listeners should not block: renewals and other
   * background work share the scheduler.
   *
   * @param listener called with each newly adopted CA
   * @return closing it removes the listener
   */
  public AutoCloseable onCaChange(Consumer<CaView> listener) {
    Objects.requireNonNull(listener, "listener");
    return follower.onChange(listener);
  }

  /**
   * Gives this process a certificate that renews itself: issued now from the CA in use, renewed at
   * {@link IdentitySpec#renewAtShare()} of its lifetime and at once when the CA changes.
   *
   * @param spec what to issue
   * @return the identity; close it (or this {@code OneCa}) to stop renewing
   * @throws IllegalStateException if {@link #start()} has not completed successfully
   * @throws InvalidRequestException if the specification breaks the issuance policy
   */
  public ManagedIdentity identity(IdentitySpec spec) {
    Objects.requireNonNull(spec, "spec");
    requireAdopted();
    ManagedIdentity identity = new ManagedIdentity(this, spec, settings.provider(), settings.scheduler(),
        settings.clock(), settings.random(), stats).start();
    identities.add(identity);
    return identity;
  }

  /**
   * Registers a listener for certificates crossing an expiry threshold (the CA and every managed
   * identity), checked periodically and on every {@link #health()}.
   *
   * @return closing it removes the listener
   */
  public AutoCloseable onExpiryAlert(Consumer<ExpiryAlert> listener) {
    Objects.requireNonNull(listener, "listener");
    return expiry.onAlert(listener);
  }

  /**
   * Checks every certificate against the expiry thresholds now and raises alerts for changed levels.
   *
   * @return the alerts raised by this check
   */
  public List<ExpiryAlert> checkExpiry() {
    return expiry.check(trackedCertificates(), settings.clock().instant());
  }

  /**
   * Reports this replica's health from what it already knows (no store round trip): CA in use and
   * its agreement with the last store read, age of the last successful store read, time to expiry
   * of the CA and of every managed identity, the last renewal failures and drift checks. Suitable
   * for a readiness probe that is called often.
   *
   * @return the report; {@link HealthStatus#DOWN} before the bootstrap completed
   */
  public HealthReport health() {
    Instant now = settings.clock().instant();
    CaCache.CaState state = cache.current();
    if (state == null || closed) {
      return HealthReport.of(now, List.of(new HealthCheck("ca", HealthStatus.DOWN,
          closed ? "this OneCa is closed" : "no CA adopted yet: the bootstrap has not completed")));
    }
    checkExpiry();
    return HealthReport.of(now, new HealthChecks(settings, stats, expiry, rotation).all(state, now, identities));
  }

  /**
   * Issues a leaf certificate from the CA in use.
   *
   * @param request the key, names, profile and lifetime to certify
   * @return the certificate with its chain
   * @throws InvalidRequestException if the request breaks the issuance policy, naming the field
   * @throws IllegalStateException if {@link #start()} has not completed successfully, or the CA has expired
   * @throws CaStaleException if the store was not read successfully for longer than
   *     {@link OneCaBuilder#maxStoreStaleness(Duration)}
   */
  public IssuedCertificate issue(CertificateRequest request) {
    return issue(request, null);
  }

  /**
   * Issues a leaf certificate from the CA in use, naming who asked for it in the audit event.
   *
   * @param request the key, names, profile and lifetime to certify
   * @param requester who asked, for the audit trail (for example a node name or a client
   *     certificate's subject), or {@code null} when unknown; never a token or other secret
   * @return the certificate with its chain
   * @throws InvalidRequestException if the request breaks the issuance policy, naming the field
   * @throws IllegalStateException if {@link #start()} has not completed successfully, or the CA has expired
   * @throws CaStaleException if the store was not read successfully for longer than
   *     {@link OneCaBuilder#maxStoreStaleness(Duration)}
   */
  public IssuedCertificate issue(CertificateRequest request, String requester) {
    Objects.requireNonNull(request, "request");
    CaCache.CaState current;
    try {
      current = requireAdopted();
    } catch (RuntimeException e) {
      audit.rejected(0, requester, e);
      throw e;
    }
    return issue(current, request, requester);
  }

  /**
   * Issues from one given CA state, so that a caller can pair the certificate with that state's trust
   * bundle (a rotation in between must not split them).
   */
  IssuedCertificate issue(CaCache.CaState current, CertificateRequest request, String requester) {
    try {
      Instant now = settings.clock().instant();
      requireFresh(current, now);
      CaRecord record = current.record();
      IssuedCertificate issued = issuer.issue(record.active(), current.version(), request,
          settings.defaultLeafTtl(), rotation.maxLeafTtl(record.active().certificate()), now);
      issued = withCrossCertificate(issued, record, now);
      audit.issued(issued, request, requester);
      return issued;
    } catch (RuntimeException e) {
      audit.rejected(current.version(), requester, e);
      throw e;
    }
  }

  /**
   * Returns the rotation of the CA: its status, and the prepare, activate, force and retire steps.
   * Automatic rotation (on by default, see {@link io.oneca.core.rotation.RotationPolicy}) uses the
   * same steps.
   */
  public CaRotation rotation() {
    return rotation;
  }

  /** Returns this replica's identifier, as recorded in the CA records it creates and in logs. */
  public String replicaId() {
    return settings.replicaId();
  }

  /**
   * Stops background work and shuts down the scheduler if OneCA created it. Does not close the
   * store, which the caller owns. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    started.completeExceptionally(new IllegalStateException("OneCa was closed before the bootstrap finished"));
    for (ManagedIdentity identity : identities) {
      identity.close();
    }
    follower.close();
    synchronized (this) {
      if (expiryChecks != null) {
        expiryChecks.cancel(false);
      }
      if (rotationChecks != null) {
        rotationChecks.cancel(false);
      }
    }
    if (settings.ownsScheduler()) {
      settings.scheduler().shutdownNow();
    }
  }

  @Override
  public String toString() {
    CaCache.CaState current = cache.current();
    return "OneCa[replica=" + settings.replicaId() + ", key=" + settings.caKey() + ", store="
        + settings.store().backend() + ", ca=" + (current == null ? "none"
            : current.view().fingerprint().shortForm() + "@" + current.version()) + "]";
  }

  /** The generator of this replica's new CAs: the first one, and successors. */
  CaFactory caFactory() {
    return caFactory;
  }

  private IssuedCertificate withCrossCertificate(IssuedCertificate issued, CaRecord record, Instant now) {
    Optional<X509Certificate> cross = record.activeCross();
    if (cross.isEmpty() || !now.isBefore(cross.get().getNotAfter().toInstant())) {
      return issued;
    }
    // Leaf, then the active CA's key certified by its predecessor: clients trusting either root accept it.
    List<X509Certificate> chain = new ArrayList<>(issued.chain().size());
    chain.add(issued.certificate());
    chain.add(cross.get());
    chain.addAll(issued.chain().subList(2, issued.chain().size()));
    return new IssuedCertificate(chain, issued.caFingerprint(), issued.caVersion());
  }

  CaCache.CaState adoptedState() {
    return requireAdopted();
  }

  String caKey() {
    return settings.caKey();
  }

  VersionedStore store() {
    return settings.store();
  }

  ScheduledExecutorService scheduler() {
    return settings.scheduler();
  }

  byte[] encode(CaRecord record) {
    return codec.encode(record, settings.caKey());
  }

  /**
   * Decodes and checks a stored version, and adopts it if it is newer than memory. A CA that does not
   * continue the one in memory is adopted only if the lineage evidence admits it (a forced rotation
   * that distrusted the old CA); otherwise the future fails with a {@link OneCaException}: no step is
   * computed from a record this replica refuses.
   */
  CompletableFuture<CaRecord> inspectAndFollow(Versioned<byte[]> stored) {
    CaRecord record = cache.inspect(stored);
    follower.offer(stored, "rotation read");
    CaCache.CaState held = cache.current();
    if (held == null || held.holds(stored)) {
      return CompletableFuture.completedFuture(record);
    }
    Optional<String> broken = cache.discontinuity(record);
    if (broken.isEmpty()) {
      return CompletableFuture.completedFuture(record);
    }
    return ledger.read().thenApply(evidence -> {
      if (evidence.isPresent() && !follower.leftBehind(record.active().fingerprint())
          && CaLineage.admitted(evidence.get().value(), record)) {
        follower.offerAdmitted(stored, "rotation read, admitted by the lineage evidence");
        return record;
      }
      throw new OneCaException("refusing to rotate from version " + stored.version() + " of CA key '"
          + settings.caKey() + "' in " + settings.store().backend() + ": " + broken.get());
    });
  }

  /** The generation of the state in memory: the basis of a write about to be sent. */
  long generation() {
    return cache.generation();
  }

  /** Adopts a version this replica has just written with a compare-and-set sent at generation {@code basis}. */
  void adoptWritten(Versioned<byte[]> written, CaRecord record, long basis) {
    cache.prime(written, record);
    follower.offerWritten(written, "rotation write", basis);
  }

  /** Admits {@code next} into the lineage evidence before a forced rotation writes it. */
  CompletableFuture<?> admitToLineage(Fingerprint current, Fingerprint next) {
    return ledger.admit(current, next);
  }

  /** Distrusts {@code old} in the lineage evidence after a forced rotation with distrust replaced it. */
  CompletableFuture<?> distrustInLineage(Fingerprint old) {
    return ledger.distrust(old);
  }

  void auditRotation(String kind, CaMaterial next, CaMaterial previous, boolean distrusted) {
    audit.rotation(kind, next, previous, distrusted, cache.current() == null ? 0 : cache.current().version());
  }

  void auditRetired(RetiredCa retired, String reason) {
    audit.retired(retired, reason, cache.current() == null ? 0 : cache.current().version());
  }

  /** Stops tracking a closed identity. */
  void forget(ManagedIdentity identity) {
    identities.remove(identity);
  }

  /** The clock this replica judges validity by. */
  InstantSource clock() {
    return settings.clock();
  }

  /** The counters behind the metrics. */
  OneCaStats stats() {
    return stats;
  }

  /** The identities being renewed now. */
  List<ManagedIdentity> identities() {
    return List.copyOf(identities);
  }

  /** The thresholds expiry is judged by. */
  ExpiryThresholds expiryThresholds() {
    return expiry.thresholds();
  }

  private Map<String, X509Certificate> trackedCertificates() {
    Map<String, X509Certificate> certificates = new LinkedHashMap<>();
    CaCache.CaState state = cache.current();
    if (state != null) {
      certificates.put("ca", state.view().chain().get(0));
    }
    for (ManagedIdentity identity : identities) {
      certificates.put("identity:" + identity.spec().name(), identity.current().certificate());
    }
    return certificates;
  }

  private void checkExpiryQuietly() {
    try {
      checkExpiry();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(OneCa.class).warn("Expiry check failed", e);
    }
  }

  private Consistency compare(CaCache.CaState memory, Optional<Versioned<byte[]>> stored, Throwable error) {
    Instant now = settings.clock().instant();
    Fingerprint memoryFingerprint = memory.view().fingerprint();
    String key = "CA key '" + settings.caKey() + "' in " + settings.store().backend();
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      return new Consistency(Consistency.Status.STORE_UNAVAILABLE, memory.version(), memoryFingerprint,
          OptionalLong.empty(), Optional.empty(), now, key + " could not be read: " + cause.getMessage());
    }
    if (stored.isEmpty()) {
      return new Consistency(Consistency.Status.STORE_MISSING, memory.version(), memoryFingerprint,
          OptionalLong.empty(), Optional.empty(), now, key + " holds no record; memory holds version "
              + memory.version() + " (" + memoryFingerprint.shortForm() + ")");
    }
    Versioned<byte[]> record = stored.get();
    OptionalLong storeVersion = OptionalLong.of(record.version());
    if (memory.holds(record)) {
      return new Consistency(Consistency.Status.CONSISTENT, memory.version(), memoryFingerprint, storeVersion,
          Optional.of(memoryFingerprint), now, key + " and memory both hold version " + memory.version() + " ("
              + memoryFingerprint.shortForm() + ")");
    }
    Fingerprint storedFingerprint;
    try {
      storedFingerprint = cache.inspect(record).active().fingerprint();
    } catch (UnreadableRecordException e) {
      return new Consistency(Consistency.Status.STORE_UNREADABLE, memory.version(), memoryFingerprint, storeVersion,
          Optional.empty(), now, e.getMessage());
    }
    if (cache.discontinuity(cache.inspect(record)).isPresent()) {
      return new Consistency(Consistency.Status.FOREIGN_CA, memory.version(), memoryFingerprint, storeVersion,
          Optional.of(storedFingerprint), now, key + " holds version " + record.version() + " with CA "
              + storedFingerprint.shortForm() + ", which does not continue CA " + memoryFingerprint.shortForm()
              + " in memory (version " + memory.version() + "); it is refused");
    }
    Consistency.Status status = record.version() > memory.version()
        ? Consistency.Status.MEMORY_BEHIND : Consistency.Status.MEMORY_AHEAD;
    return new Consistency(status, memory.version(), memoryFingerprint, storeVersion, Optional.of(storedFingerprint),
        now, key + " holds version " + record.version() + " (" + storedFingerprint.shortForm()
            + "); memory holds version " + memory.version() + " (" + memoryFingerprint.shortForm() + ")");
  }

  /** Refuses to issue when the store has not been read for longer than the configured staleness. */
  private void requireFresh(CaCache.CaState current, Instant now) {
    Instant last = stats.lastSuccessfulSync();
    if (last == null || Duration.between(last, now).compareTo(settings.maxStoreStaleness()) > 0) {
      throw new CaStaleException(settings.store().backend(), settings.caKey(), current.version(), last,
          settings.maxStoreStaleness(), now);
    }
  }

  private CaCache.CaState requireAdopted() {
    if (closed) {
      throw new IllegalStateException("OneCa is closed");
    }
    CaCache.CaState current = cache.current();
    if (current == null) {
      throw new IllegalStateException("no CA in use yet: call start() and let it complete successfully");
    }
    return current;
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new OneCaException("bootstrap failed: " + cause, cause);
  }

  /** Settings fixed at build time; the builder validates them. */
  record OneCaSettings(
      VersionedStore store,
      String caKey,
      String caSubject,
      KeyAlgorithm caKeyAlgorithm,
      Duration caValidity,
      int caPathLength,
      Duration defaultLeafTtl,
      InstantSource clock,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler,
      Provider provider,
      RetryPolicy retryPolicy,
      String replicaId,
      CaRecord importedCa,
      SecureRandom random,
      SecuritySettings security,
      Duration resyncInterval,
      Duration maxStoreStaleness,
      ExpiryThresholds expiryThresholds,
      Provider signatureProvider,
      RotationPolicy rotationPolicy,
      Duration clockSkewTolerance) {}
}
