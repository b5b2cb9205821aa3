package io.oneca.core;

import io.oneca.api.CaView;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.Pem;
import io.oneca.core.files.AtomicDirectoryWriter;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.tls.DriftDetector;
import io.oneca.core.tls.DriftReport;
import io.oneca.core.tls.IdentityExport;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's own certificate, kept valid without anyone watching: issued from the replica's CA,
 * renewed at a share of its lifetime (two thirds by default, with jitter so replicas do not renew in
 * lockstep), re-issued at once when the signing CA changes, and retried with backoff on failure
 * (including {@link CaStaleException} while the store cannot be read) while the old, still valid
 * certificate keeps being served. A CA change that only changes the trust bundle (a CA prepared, a
 * retired CA pruned) keeps the certificate and installs the new bundle in the trust manager, the
 * output directory ({@code ca.crt}) and a new {@link IdentitySnapshot} at once. Each certificate is
 * paired with the trust bundle of the CA state it was issued from. Its {@link #keyManager()} and
 * {@link #trustManager()} swap material in place, so TLS contexts built from them never need a
 * restart. Obtain one from {@link OneCa#identity(IdentitySpec)}; close it to stop renewing.
 */
public final class ManagedIdentity implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedIdentity.class);
  /** Keeps a certificate that is short-lived or capped by an expiring CA from renewing in a hot loop. */
  private static final Duration MIN_RENEWAL_DELAY = Duration.ofMillis(500);

  private final OneCa oneCa;
  private final IdentitySpec spec;
  private final Provider provider;
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final SecureRandom random;
  private final OneCaStats stats;
  private final ReloadingX509KeyManager keyManager = new ReloadingX509KeyManager();
  private final ReloadingX509TrustManager trustManager = new ReloadingX509TrustManager();
  private final AtomicDirectoryWriter writer;
  private final CopyOnWriteArrayList<Consumer<IdentitySnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong renewals = new AtomicLong();
  private final AtomicLong renewalFailures = new AtomicLong();
  private volatile IdentitySnapshot current;
  private volatile Instant nextRenewal;
  private volatile String lastFailure;
  private volatile DriftReport lastDrift;
  private int consecutiveFailures;
  private ScheduledFuture<?> scheduled;
  private AutoCloseable caRegistration;
  private boolean closed;

  ManagedIdentity(OneCa oneCa, IdentitySpec spec, Provider provider, ScheduledExecutorService scheduler,
      InstantSource clock, SecureRandom random, OneCaStats stats) {
    this.oneCa = oneCa;
    this.spec = spec;
    this.provider = provider;
    this.scheduler = scheduler;
    this.clock = clock;
    this.random = random;
    this.stats = stats;
    this.writer = spec.outputDirectory().map(AtomicDirectoryWriter::of).orElse(null);
  }

  /**
   * Registers for CA changes, then issues the first certificate (failing if that fails) and starts
   * renewing. Registering first means a CA adopted while the first certificate is issued is not
   * missed: its delivery waits for this lock and then re-issues or updates the trust bundle.
   */
  synchronized ManagedIdentity start() {
    caRegistration = oneCa.onCaChange(this::onCaChange);
    try {
      renewOrThrow("first issuance");
    } catch (RuntimeException e) {
      closed = true;
      closeQuietly(caRegistration);
      throw e;
    }
    return this;
  }

  /** Returns the specification this identity follows. */
  public IdentitySpec spec() {
    return spec;
  }

  /** Returns the certificate, key and trust bundle in use now. */
  public IdentitySnapshot current() {
    return current;
  }

  /** Returns when the next renewal is planned. */
  public Instant nextRenewal() {
    return nextRenewal;
  }

  /** Returns the key manager that always serves the current certificate. */
  public ReloadingX509KeyManager keyManager() {
    return keyManager;
  }

  /** Returns the trust manager that always trusts the current CA bundle. */
  public ReloadingX509TrustManager trustManager() {
    return trustManager;
  }

  /**
   * Returns a TLS context that presents this identity and trusts the CA bundle: use it for servers
   * (with {@code setNeedClientAuth(true)} for mTLS) and for clients alike. Renewals apply to it
   * without rebuilding it.
   */
  public SSLContext sslContext() {
    return TlsContexts.sslContext(keyManager, trustManager);
  }

  /**
   * Registers a listener called with every new state: after every renewal, and after a trust-only CA
   * change (a CA prepared, a retired CA pruned) that changed the trust bundle while the certificate
   * stayed. Called on the thread that produced the state (OneCA's scheduler for renewals and CA
   * changes, the caller's for {@link #renewNow()}), one call at a time, in increasing
   * {@link IdentitySnapshot#generation()}; the output directory, if any, already holds that state.
   *
   * @return closing it removes the listener
   */
  public AutoCloseable onRenewal(Consumer<IdentitySnapshot> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Renews now, whatever the schedule says.
   *
   * @return the new state
   * @throws io.oneca.api.OneCaException if issuance fails; the previous certificate stays in use
   */
  public synchronized IdentitySnapshot renewNow() {
    return renewOrThrow("requested");
  }

  /** Returns how many renewals succeeded after the first issuance. */
  public long renewals() {
    return renewals.get();
  }

  /** Returns how many renewal attempts failed. */
  public long renewalFailures() {
    return renewalFailures.get();
  }

  /** Returns the last renewal failure, if the last attempt failed. */
  public Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * Checks that a live listener serves this identity's current certificate; the result feeds the
   * health report and the drift metric.
   *
   * @param listener the address the listener accepts connections on
   * @param timeout the bound on connecting and handshaking
   */
  public DriftReport checkDrift(InetSocketAddress listener, Duration timeout) {
    DriftReport report = DriftDetector.create(clock, timeout).checkListener(listener, current.certificate());
    recordDrift(report);
    return report;
  }

  /** Checks that this identity's key manager serves its current certificate. */
  public DriftReport checkDrift() {
    DriftReport report = DriftDetector.create(clock, Duration.ofSeconds(1)).checkKeyManager(keyManager,
        current.certificate());
    recordDrift(report);
    return report;
  }

  /** Returns the last drift check's result, if any ran. */
  public Optional<DriftReport> lastDrift() {
    return Optional.ofNullable(lastDrift);
  }

  /** Stops renewing. The managers keep serving the last certificate. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    closeQuietly(caRegistration);
    oneCa.forget(this);
  }

  private void closeQuietly(AutoCloseable registration) {
    if (registration != null) {
      try {
        registration.close();
      } catch (Exception e) {
        LOG.debug("Removing the CA listener of identity '{}' failed", spec.name(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "ManagedIdentity[" + spec.name() + ", " + current + "]";
  }

  private void recordDrift(DriftReport report) {
    lastDrift = report;
    if (report.drifted()) {
      stats.driftDetected.increment();
      LOG.warn("Drift on identity '{}': {}", spec.name(), report.detail());
    }
  }

  private void onCaChange(CaView ca) {
    synchronized (this) {
      IdentitySnapshot now = current;
      if (closed || oneCa.adoptedState().view() != ca) {
        // A newer adoption exists; the dispatcher delivers it next. Versions are not compared: after a
        // store regression the replica re-adopts a lower version of its own line, and that must reach
        // the identity too.
        return;
      }
      if (now != null && now.caVersion() == ca.storeVersion() && now.caFingerprint().equals(ca.fingerprint())
          && now.trustBundle().equals(ca.trustBundle())) {
        // A renewal already used exactly this state.
        return;
      }
      if (now != null && now.caFingerprint().equals(ca.fingerprint())) {
        // Same signing CA (a successor was prepared, a retired CA pruned): the leaf stays valid, only
        // the trust bundle changed; trust manager, files and listeners get it now, not at activation.
        if (!now.trustBundle().equals(ca.trustBundle())) {
          IdentitySnapshot next = new IdentitySnapshot(now.chain(), now.privateKey(), ca.trustBundle(),
              now.caFingerprint(), ca.storeVersion(), now.generation() + 1);
          try {
            publish(next);
          } catch (RuntimeException e) {
            LOG.warn("Identity '{}': installing the trust bundle of CA version {} failed; renewing instead: {}",
                spec.name(), ca.storeVersion(), e.getMessage());
            renewLater("trust bundle of CA version " + ca.storeVersion());
            return;
          }
          notifyListeners(next);
          LOG.info("Identity '{}': trust bundle of CA version {} ({} certificates) in use; certificate kept",
              spec.name(), ca.storeVersion(), ca.trustBundle().size());
        }
        return;
      }
    }
    renewQuietly("CA changed to " + ca.fingerprint().shortForm() + " at version " + ca.storeVersion());
  }

  /** Renews on the scheduler, with retries on failure, as a CA change does. */
  void renewLater(String reason) {
    scheduler.execute(() -> renewQuietly(reason));
  }

  private synchronized void renewQuietly(String reason) {
    if (closed) {
      return;
    }
    try {
      renewOrThrow(reason);
    } catch (RuntimeException e) {
      renewalFailures.incrementAndGet();
      consecutiveFailures++;
      lastFailure = e.getMessage();
      Duration wait = spec.retry().backoff(Math.min(consecutiveFailures, 30), random);
      LOG.warn("Renewal of identity '{}' ({}) failed, attempt {}; retrying in {} ms while serving {}: {}",
          spec.name(), reason, consecutiveFailures, wait.toMillis(),
          current == null ? "nothing" : current.fingerprint().shortForm(), e.getMessage());
      schedule(clock.instant().plus(wait), "retry after failure");
    }
  }

  private IdentitySnapshot renewOrThrow(String reason) {
    if (closed) {
      throw new IllegalStateException("identity '" + spec.name() + "' is closed");
    }
    KeyPair keys = KeyPairs.generate(spec.keyAlgorithm(), provider, random);
    CertificateRequest.Builder request = CertificateRequest.fromPublicKey(keys.getPublic())
        .commonName(spec.commonName())
        .profile(spec.profile())
        .ttl(spec.ttl());
    spec.subjectAltNames().forEach(request::subjectAltName);
    // One CA state for the certificate and the bundle written with it: a rotation between reading the
    // CA and issuing must not pair a leaf of the new CA with a bundle that lacks it.
    CaCache.CaState state = oneCa.adoptedState();
    IssuedCertificate issued = oneCa.issue(state, request.build(), null);
    List<X509Certificate> bundle = state.view().trustBundle();
    IdentitySnapshot previous = current;
    IdentitySnapshot next = new IdentitySnapshot(issued.chain(), keys.getPrivate(), bundle,
        issued.caFingerprint(), state.version(), previous == null ? 1 : previous.generation() + 1);
    publish(next);
    consecutiveFailures = 0;
    lastFailure = null;
    if (previous != null) {
      renewals.incrementAndGet();
    }
    LOG.info("Identity '{}' {}: serial {}, expires {}, CA {} ({})", spec.name(),
        previous == null ? "issued" : "renewed", issued.serialNumber().toString(16), issued.notAfter(),
        issued.caFingerprint().shortForm(), reason);
    Instant issuedAt = clock.instant();
    Instant renewAt = RenewalSchedule.renewAt(issuedAt.isAfter(issued.notBefore()) ? issuedAt : issued.notBefore(),
        issued.notAfter(), spec.renewAtShare(), spec.jitterShare(), 2 * random.nextDouble() - 1);
    if (renewAt.isBefore(issuedAt.plus(MIN_RENEWAL_DELAY))) {
      renewAt = issuedAt.plus(MIN_RENEWAL_DELAY);
    }
    schedule(renewAt, "scheduled renewal");
    notifyListeners(next);
    return next;
  }

  /** Installs a state: managers, then the output directory, then {@link #current}. */
  private void publish(IdentitySnapshot next) {
    IdentitySnapshot previous = current;
    trustManager.update(next.trustBundle());
    if (previous == null || !previous.chain().equals(next.chain())) {
      keyManager.update(next.privateKey(), next.chain());
    }
    if (writer != null) {
      writer.write(Map.of(
              "tls.crt", Pem.encodeCertificates(next.chain()).getBytes(StandardCharsets.US_ASCII),
              "tls.key", IdentityExport.privateKeyPem(next.privateKey()).getBytes(StandardCharsets.US_ASCII),
              "ca.crt", Pem.encodeCertificates(next.trustBundle()).getBytes(StandardCharsets.US_ASCII)),
          Set.of("tls.key"));
    }
    current = next;
  }

  private void notifyListeners(IdentitySnapshot next) {
    for (Consumer<IdentitySnapshot> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("A renewal listener of identity '{}' failed", spec.name(), e);
      }
    }
  }

  private void schedule(Instant at, String reason) {
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    nextRenewal = at;
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
    scheduled = scheduler.schedule(() -> renewQuietly(reason), delay, TimeUnit.MILLISECONDS);
  }
}
