package io.oneca.core;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.OneCaException;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.audit.Auditor;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.LeafIssuer;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * One replica's handle on the one CA its service shares with every other replica.
 *
 * <p>{@link #start()} bootstraps: it reads the CA record from the store; if there is none it
 * proposes a new CA with a create-if-absent compare-and-set, and whether it wins or loses it uses
 * only the CA the store confirmed. Replicas that start at the same instant therefore all end up on
 * the same CA (the split-brain bug of KubeEdge CloudCore cannot happen). A stored record that
 * cannot be used fails {@code start()} and is never overwritten.
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
 * <p>Not yet: a started {@code OneCa} keeps the CA it adopted; following later changes of the
 * record (rotation, hot reload) comes with the versioned cache. Thread-safe.
 */
public final class OneCa implements AutoCloseable {
  private final OneCaSettings settings;
  private final CaRecordCodec codec;
  private final LeafIssuer issuer;
  private final IssuanceAudit audit;
  private final CompletableFuture<BootstrapResult> started = new CompletableFuture<>();
  private volatile Adopted adopted;
  private volatile boolean closed;
  private boolean startCalled;

  private record Adopted(CaRecord record, CaView view) {}

  OneCa(OneCaSettings settings) {
    this.settings = settings;
    this.codec = new CaRecordCodec(settings.provider(), settings.security().keyProtection());
    this.issuer = new LeafIssuer(settings.provider(), settings.random(), settings.security().issuancePolicy());
    this.audit = new IssuanceAudit(new Auditor(settings.security().auditSink(), settings.clock(),
        settings.replicaId(), settings.caKey()));
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
   * @throws io.oneca.api.UnreadableRecordException if the stored record cannot be used; it was not
   *     modified
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
        : this::generateCandidate;
    Bootstrap bootstrap = new Bootstrap(settings.store(), settings.caKey(), codec, settings.provider(),
        settings.clock(), settings.scheduler(), settings.retryPolicy(), settings.random(), candidates,
        settings.importedCa() != null);
    bootstrap.run().whenComplete((adoption, error) -> {
      audit.bootstrap(adoption == null ? null : adoption.outcome(), adoption == null ? null : adoption.record(),
          adoption == null ? 0 : adoption.version(), error);
      if (error != null) {
        started.completeExceptionally(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
        return;
      }
      CaView view = view(adoption.record(), adoption.version());
      adopted = new Adopted(adoption.record(), view);
      started.complete(new BootstrapResult(adoption.outcome(), view, adoption.attempts()));
    });
    return started.copy();
  }

  /**
   * Returns the CA this replica uses, as the store confirmed it.
   *
   * @return the CA, without its private key
   * @throws IllegalStateException if {@link #start()} has not completed successfully
   */
  public CaView ca() {
    return requireAdopted().view();
  }

  /**
   * Issues a leaf certificate from the CA in use.
   *
   * @param request the key, names, profile and lifetime to certify
   * @return the certificate with its chain
   * @throws InvalidRequestException if the request breaks the issuance policy, naming the field
   * @throws IllegalStateException if {@link #start()} has not completed successfully, or the CA has expired
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
   */
  public IssuedCertificate issue(CertificateRequest request, String requester) {
    Objects.requireNonNull(request, "request");
    Adopted current = null;
    try {
      current = requireAdopted();
      IssuedCertificate issued = issuer.issue(current.record().active(), current.view().storeVersion(), request,
          settings.defaultLeafTtl(), settings.clock().instant());
      audit.issued(issued, request, requester);
      return issued;
    } catch (RuntimeException e) {
      audit.rejected(current == null ? 0 : current.view().storeVersion(), requester, e);
      throw e;
    }
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
    if (settings.ownsScheduler()) {
      settings.scheduler().shutdownNow();
    }
  }

  @Override
  public String toString() {
    Adopted current = adopted;
    return "OneCa[replica=" + settings.replicaId() + ", key=" + settings.caKey() + ", store="
        + settings.store().backend() + ", ca=" + (current == null ? "none" : current.view().fingerprint().shortForm())
        + "]";
  }

  private CaRecord generateCandidate() {
    CaMaterial material = new CaGenerator(settings.provider(), settings.random()).generate(
        new CaSpec(settings.caSubject(), settings.caKeyAlgorithm(), settings.caValidity(), settings.caPathLength()),
        settings.clock().instant(), settings.security().caPermittedDnsSubtrees());
    return new CaRecord(material, List.of(material.certificate()), settings.clock().instant(), settings.replicaId());
  }

  private CaView view(CaRecord record, long version) {
    CaMaterial active = record.active();
    return new CaView(settings.caKey(), version, active.fingerprint(), active.chain(), record.trustBundle(),
        active.keyAlgorithm());
  }

  private Adopted requireAdopted() {
    if (closed) {
      throw new IllegalStateException("OneCa is closed");
    }
    Adopted current = adopted;
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
      SecuritySettings security) {}
}
