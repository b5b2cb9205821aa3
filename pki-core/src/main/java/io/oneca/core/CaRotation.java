package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.delivery.GateDecision;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.RetiredCa;
import io.oneca.core.internal.record.RotationTransitions;
import io.oneca.core.rotation.ActivationCondition;
import io.oneca.core.rotation.ActivationContext;
import io.oneca.core.rotation.CaSlot;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.rotation.TransitionResult.Outcome;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the CA every replica shares: prepare a successor (trusted, not yet signing), activate it
 * (it signs, the old CA is retired but still trusted until its last leaf expired), prune retired
 * CAs, or force a rotation at once after a suspected compromise.
 *
 * <p>Any replica may run any step. Each step reads the record, computes the next state from what it
 * read, and writes it with a compare-and-set from that version; a replica that loses the race
 * re-reads and finds the step done ({@link Outcome#ALREADY_DONE}), so several replicas rotating at
 * once produce exactly one new state and the record never moves backwards. Replicas adopt the new
 * state through the same path as any store change, which re-issues their managed identities when
 * the active CA changed and refreshes their trust managers when the bundle changed.
 *
 * <p>With {@link RotationPolicy#automatic()} (the default), every replica runs {@link #tick()}
 * periodically: prune expired retired CAs, prepare when {@link RotationStatus#prepareAt()} has come,
 * activate when {@link RotationStatus#activateAt()} has come and the activation condition (for
 * example acknowledgements of the new bundle) allows it. Thread-safe.
 */
public final class CaRotation {
  private static final Logger LOG = LoggerFactory.getLogger(CaRotation.class);
  private static final int MAX_ATTEMPTS = 16;

  private final OneCa oneCa;
  private final RotationPolicy policy;
  private volatile PreparedSighting preparedSighting;
  private volatile TransitionResult lastAutomatic;
  private volatile String lastAutomaticFailure;

  /** The first store version at which this replica saw a prepared CA. */
  private record PreparedSighting(Fingerprint fingerprint, long version) {}

  /** What a step decided after reading the record: write a new record, or stop. */
  private sealed interface Decision permits Write, Stop {}

  /** A record to write; {@code admit}, when not null, is admitted into the lineage evidence first. */
  /**
   * A record to write. {@code admit}, when not null, is a new CA admitted into the lineage evidence
   * before the write (every prepared or forced successor: a replica cut off through a whole rotation
   * cycle, whose CA was pruned meanwhile, then recognises the store's CA as its line's). With
   * {@code distrustPrevious} the replaced active CA is marked distrusted once the write applied.
   */
  private record Write(CaRecord next, String detail, Runnable onApplied, Fingerprint admit, boolean distrustPrevious)
      implements Decision {
    Write(CaRecord next, String detail, Runnable onApplied) {
      this(next, detail, onApplied, null, false);
    }

    Write(CaRecord next, String detail, Runnable onApplied, Fingerprint admit) {
      this(next, detail, onApplied, admit, false);
    }
  }

  private record Stop(Outcome outcome, String detail) implements Decision {}

  /** A stored version and its decoded record. */
  private record Read(Versioned<byte[]> stored, CaRecord record) {}

  /** A compare-and-set's result, and the generation in memory when it was sent. */
  private record Sent(CasResult result, long basis) {}

  /** A step: decides from the stored record; called again after every lost compare-and-set. */
  @FunctionalInterface
  private interface Plan {
    Decision decide(long version, CaRecord record, int attempt);
  }

  CaRotation(OneCa oneCa, RotationPolicy policy) {
    this.oneCa = oneCa;
    this.policy = policy;
  }

  /** Returns the policy this replica rotates by. */
  public RotationPolicy policy() {
    return policy;
  }

  /**
   * Returns the rotation state of the CA record this replica holds in memory.
   *
   * @throws IllegalStateException before the bootstrap completed
   */
  public RotationStatus status() {
    CaCache.CaState state = oneCa.adoptedState();
    return status(state.version(), state.record());
  }

  /**
   * Prepares a successor now, unless one is prepared already: it joins the trust bundle at once and
   * signs nothing until activated. In intermediate mode the successor is signed by the configured
   * offline root, which must have its key.
   *
   * @return completes with {@link Outcome#APPLIED}, {@link Outcome#ALREADY_DONE} if a CA is already
   *     prepared, or {@link Outcome#NEEDS_OFFLINE_ROOT}; exceptionally if the store fails
   */
  public CompletableFuture<TransitionResult> prepare() {
    return prepare(policy.offlineRoot().orElse(null));
  }

  /**
   * Prepares a successor signed by {@code root}, an offline root the operator provides for this call.
   *
   * @param root the root, with its key
   * @return as {@link #prepare()}
   */
  public CompletableFuture<TransitionResult> prepare(OfflineRoot root) {
    Successor successor = new Successor(root);
    return run("prepare", (version, record, attempt) -> {
      if (record.prepared().isPresent()) {
        return new Stop(Outcome.ALREADY_DONE, "CA " + shortName(record.prepared().get()) + " is already prepared");
      }
      if (!successor.possible()) {
        return new Stop(Outcome.NEEDS_OFFLINE_ROOT, successor.impossibleReason());
      }
      Instant now = oneCa.clock().instant();
      CaMaterial next = successor.get(now);
      return new Write(RotationTransitions.prepare(record, next, cross(next, record.active(), now), now),
          "prepared CA " + shortName(next) + " to succeed " + shortName(record.active()),
          () -> oneCa.auditRotation("prepared", next, record.active(), false), next.fingerprint());
    }).whenComplete((result, error) -> successor.discardUnless(result));
  }

  /**
   * Activates the prepared CA now, whatever the thresholds and the activation condition say: it
   * signs from now on, and the old CA stays in the trust bundle until its last leaf expired.
   *
   * @return completes with {@link Outcome#APPLIED}, {@link Outcome#ALREADY_DONE} if another replica
   *     activated the prepared CA this replica knew of, or {@link Outcome#NOTHING_TO_DO} if no CA is
   *     prepared
   */
  public CompletableFuture<TransitionResult> activate() {
    // The prepared CA this replica knows of, if any: activating it twice is then "already done".
    Fingerprint[] expected = {oneCa.adoptedState().record().prepared().map(CaMaterial::fingerprint).orElse(null)};
    return run("activate", (version, record, attempt) -> {
      if (expected[0] == null) {
        if (record.prepared().isEmpty()) {
          return new Stop(Outcome.NOTHING_TO_DO, "no CA is prepared");
        }
        expected[0] = record.prepared().get().fingerprint();
      }
      if (record.active().fingerprint().equals(expected[0])) {
        return new Stop(Outcome.ALREADY_DONE, "CA " + expected[0].shortForm() + " is already active");
      }
      if (record.prepared().isEmpty() || !record.prepared().get().fingerprint().equals(expected[0])) {
        return new Stop(Outcome.ALREADY_DONE, "CA " + expected[0].shortForm() + " was superseded by another rotation");
      }
      return activation(record, false);
    });
  }

  /**
   * Forces a rotation away from the CA this replica uses now, at once: a fresh successor is generated
   * and activated in one write, any prepared CA is dropped. Meant for a suspected compromise.
   *
   * <p>Consequences: every replica re-issues its identities from the new CA as soon as it adopts the
   * record. Peers must fetch the new trust bundle before they can verify leaves of the new CA; with
   * {@code distrustPrevious} the old CA leaves the bundle immediately, so every leaf it signed is
   * refused by peers holding the new bundle, and peers holding only the old bundle cannot verify the
   * new CA either (unless cross-signing is on): they must be re-bootstrapped out of band. Without it,
   * the old CA stays trusted until its last leaf expired, which keeps service up but also keeps a
   * possibly compromised key trusted for that long. In intermediate mode the offline root stays
   * trusted either way; distrusting an intermediate then only stops serving it.
   *
   * @param distrustPrevious whether the old CA leaves the trust bundle at once
   * @return completes with {@link Outcome#APPLIED}, {@link Outcome#ALREADY_DONE} if another replica
   *     already rotated away from that CA, or {@link Outcome#NEEDS_OFFLINE_ROOT}
   */
  public CompletableFuture<TransitionResult> force(boolean distrustPrevious) {
    return force(oneCa.adoptedState().record().active().fingerprint(), distrustPrevious);
  }

  /**
   * Forces a rotation away from a named CA, as {@link #force(boolean)} does. Naming the CA makes the
   * request idempotent across replicas and retries: once the store has moved away from it, every
   * further request is {@link Outcome#ALREADY_DONE}.
   *
   * @param from the fingerprint of the CA to rotate away from (normally the suspected one)
   * @param distrustPrevious whether that CA leaves the trust bundle at once
   * @return as {@link #force(boolean)}
   */
  public CompletableFuture<TransitionResult> force(Fingerprint from, boolean distrustPrevious) {
    Objects.requireNonNull(from, "from");
    Successor successor = new Successor(policy.offlineRoot().orElse(null));
    return run("force", (version, record, attempt) -> {
      if (!record.active().fingerprint().equals(from)) {
        return new Stop(Outcome.ALREADY_DONE, "the store already moved from CA " + from.shortForm() + " to "
            + shortName(record.active()));
      }
      if (!successor.possible()) {
        return new Stop(Outcome.NEEDS_OFFLINE_ROOT, successor.impossibleReason());
      }
      Instant now = oneCa.clock().instant();
      CaMaterial next = successor.get(now);
      CaMaterial old = record.active();
      Instant retainUntil = retainUntil(old, now);
      RotationTransitions.Step step = RotationTransitions.force(record, next, cross(next, old, now),
          distrustPrevious, now, retainUntil);
      // Distrusting the old CA removes every link from it to the new one; the lineage evidence records
      // the operator's decision (the new CA admitted, the old one distrusted once the write applied) so
      // that other replicas adopt the new CA instead of refusing it.
      return new Write(step.record(), "forced rotation from CA " + shortName(old) + " to " + shortName(next)
          + (distrustPrevious ? "; the old CA is no longer trusted" : "; the old CA stays trusted until "
              + retainUntil), () -> {
                oneCa.auditRotation("forced", next, old, distrustPrevious);
                step.dropped().forEach(dropped -> oneCa.auditRetired(dropped, "more than "
                    + RotationTransitions.MAX_RETIRED + " retired CAs"));
              }, next.fingerprint(), distrustPrevious);
    }).whenComplete((result, error) -> successor.discardUnless(result));
  }

  /**
   * Removes retired CAs whose last leaf has expired from the record and the trust bundle.
   *
   * @return completes with {@link Outcome#APPLIED} or {@link Outcome#NOTHING_TO_DO}
   */
  public CompletableFuture<TransitionResult> retireExpired() {
    return run("retire", (version, record, attempt) -> {
      RotationTransitions.Step step = RotationTransitions.pruneRetired(record, oneCa.clock().instant());
      if (step.dropped().isEmpty()) {
        return new Stop(Outcome.NOTHING_TO_DO, "no retired CA has reached the end of its retention");
      }
      return new Write(step.record(), "no longer trusting " + names(step.dropped()),
          () -> step.dropped().forEach(dropped -> oneCa.auditRetired(dropped, "retention ended")));
    });
  }

  /**
   * Runs one automatic step now: prune expired retired CAs, then prepare or activate if due (an
   * activation only when the activation condition allows it). The automatic schedule calls this;
   * tests with a mutable clock call it directly.
   *
   * @return completes with what was done
   */
  public CompletableFuture<TransitionResult> tick() {
    return gate().thenCompose(this::tick);
  }

  /**
   * Lets the activation condition record what this replica knows (while a CA is prepared) and, when
   * the activation is due, decide: both may use the store, so they run before the tick reads the
   * record, never inside its compare-and-set loop.
   */
  private CompletableFuture<Optional<GateSighting>> gate() {
    Optional<ActivationCondition> condition = policy.activationCondition();
    CaCache.CaState state = oneCa.adoptedState();
    CaRecord record = state.record();
    if (condition.isEmpty() || record.prepared().isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    try {
      sighted(state.version(), record);
      PreparedSighting seen = preparedSighting;
      Fingerprint prepared = record.prepared().get().fingerprint();
      if (!seen.fingerprint().equals(prepared)) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      boolean due = !oneCa.clock().instant().isBefore(policy.thresholds().activateAt(record.active().certificate()));
      ActivationContext context = new ActivationContext(oneCa.store(), oneCa.caKey(), oneCa.replicaId(), prepared,
          seen.version(), record.preparedAt().orElseThrow(), due);
      CompletableFuture<Void> recorded = condition.get().record(context);
      if (!due) {
        return recorded.thenApply(ignored -> Optional.empty());
      }
      return recorded.thenCompose(ignored -> condition.get().decide(context))
          .thenApply(decision -> Optional.of(new GateSighting(prepared, decision)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An activation condition's decision, for the prepared CA it was made for. */
  private record GateSighting(Fingerprint prepared, GateDecision decision) {}

  private CompletableFuture<TransitionResult> tick(Optional<GateSighting> decided) {
    Successor successor = new Successor(policy.offlineRoot().orElse(null));
    return run("tick", (version, record, attempt) -> {
      Instant now = oneCa.clock().instant();
      RotationTransitions.Step pruned = RotationTransitions.pruneRetired(record, now);
      CaRecord base = pruned.record();
      String prunedDetail = pruned.dropped().isEmpty() ? "" : "no longer trusting " + names(pruned.dropped()) + "; ";
      Runnable auditPruned = () -> pruned.dropped().forEach(dropped -> oneCa.auditRetired(dropped, "retention ended"));
      X509Certificate active = base.active().certificate();
      if (base.prepared().isPresent() && !now.isBefore(policy.thresholds().activateAt(active))) {
        CaMaterial next = base.prepared().get();
        sighted(version, base);
        Optional<GateDecision> gate = decided.filter(sighting -> sighting.prepared().equals(next.fingerprint()))
            .map(GateSighting::decision);
        if (policy.activationCondition().isPresent() && (gate.isEmpty() || !gate.get().open())) {
          String waiting = gate.isEmpty()
              ? "activation of CA " + shortName(next) + " is due but the activation condition has not decided"
                  + " for it yet (it was prepared after this tick began); the next tick decides"
              : gate.get().reason() == GateDecision.Reason.NO_LIVE_CONSUMERS
              ? "activation of CA " + shortName(next) + " is due but no consumer is live on any replica; the gate"
                  + " waits for its deadline " + gate.get().deadline()
              : "activation of CA " + shortName(next) + " is due but waits for acknowledgements: "
                  + gate.get().acknowledgedCount() + " of " + gate.get().liveCount() + " live consumers ("
                  + gate.get().requiredCount() + " required) until " + gate.get().deadline() + "; lagging: "
                  + gate.get().laggingConsumers();
          return pruned.dropped().isEmpty() ? new Stop(Outcome.GATE_CLOSED, waiting)
              : new Write(base, prunedDetail + waiting, auditPruned);
        }
        Write activation = activation(base, true);
        return new Write(activation.next(), prunedDetail + activation.detail()
            + gate.map(decision -> " (gate: " + decision.reason() + ")").orElse(""), () -> {
              auditPruned.run();
              activation.onApplied().run();
            });
      }
      if (base.prepared().isEmpty() && !now.isBefore(policy.thresholds().prepareAt(active))) {
        if (!successor.possible()) {
          return pruned.dropped().isEmpty() ? new Stop(Outcome.NEEDS_OFFLINE_ROOT, successor.impossibleReason())
              : new Write(base, prunedDetail + successor.impossibleReason(), auditPruned);
        }
        CaMaterial next = successor.get(now);
        CaMaterial current = base.active();
        return new Write(RotationTransitions.prepare(base, next, cross(next, current, now), now),
            prunedDetail + "prepared CA " + shortName(next) + " to succeed " + shortName(current)
                + ", which is due for rotation since " + policy.thresholds().prepareAt(active), () -> {
                  auditPruned.run();
                  oneCa.auditRotation("prepared", next, current, false);
                }, next.fingerprint());
      }
      if (!pruned.dropped().isEmpty()) {
        return new Write(base, prunedDetail.substring(0, prunedDetail.length() - 2), auditPruned);
      }
      return new Stop(Outcome.NOTHING_TO_DO, base.prepared().isPresent()
          ? "CA " + shortName(base.prepared().get()) + " is prepared; activation is due at "
              + policy.thresholds().activateAt(active)
          : "the next rotation is due at " + policy.thresholds().prepareAt(active));
    }).whenComplete((result, error) -> successor.discardUnless(result));
  }

  /** The automatic step, on the scheduler: logs and remembers failures instead of throwing. */
  void automaticStep() {
    try {
      tick().whenComplete((result, error) -> {
        if (error != null) {
          lastAutomaticFailure = unwrap(error).toString();
          LOG.warn("Automatic CA rotation step failed; retrying in {}: {}", policy.checkInterval(),
              lastAutomaticFailure);
          return;
        }
        lastAutomatic = result;
        lastAutomaticFailure = null;
        if (result.outcome() == Outcome.APPLIED) {
          LOG.info("Automatic CA rotation: {}", result.detail());
        } else if (result.outcome() == Outcome.NEEDS_OFFLINE_ROOT || result.outcome() == Outcome.GATE_CLOSED) {
          LOG.warn("Automatic CA rotation: {}", result.detail());
        }
      });
    } catch (RuntimeException e) {
      lastAutomaticFailure = e.toString();
      LOG.warn("Automatic CA rotation step failed", e);
    }
  }

  /** The last automatic step's result, if any ran. */
  Optional<TransitionResult> lastAutomatic() {
    return Optional.ofNullable(lastAutomatic);
  }

  /** The last automatic step's failure, if the last one failed. */
  Optional<String> lastAutomaticFailure() {
    return Optional.ofNullable(lastAutomaticFailure);
  }

  /** The longest a leaf of {@code ca} can live: {@link RotationPolicy#maxLeafTtlShare()} of its lifetime. */
  Duration maxLeafTtl(X509Certificate ca) {
    Duration life = Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant());
    return Duration.ofMillis(Math.max(1, (long) (life.toMillis() * policy.maxLeafTtlShare())));
  }

  private Write activation(CaRecord record, boolean automatic) {
    Instant now = oneCa.clock().instant();
    CaMaterial old = record.active();
    CaMaterial next = record.prepared().orElseThrow();
    Instant retainUntil = retainUntil(old, now);
    RotationTransitions.Step step = RotationTransitions.activate(record, now, retainUntil);
    return new Write(step.record(), (automatic ? "activated" : "activated on request") + " CA " + shortName(next)
        + "; CA " + shortName(old) + " is retired and trusted until " + retainUntil, () -> {
          oneCa.auditRotation("activated", next, old, false);
          step.dropped().forEach(dropped -> oneCa.auditRetired(dropped, "more than "
              + RotationTransitions.MAX_RETIRED + " retired CAs"));
        });
  }

  /** A retired CA stays trusted until the last leaf it can have signed has expired. */
  private Instant retainUntil(CaMaterial old, Instant now) {
    Instant caEnd = old.certificate().getNotAfter().toInstant();
    Instant lastLeafEnd = now.plus(maxLeafTtl(old.certificate()));
    return lastLeafEnd.isBefore(caEnd) ? lastLeafEnd : caEnd;
  }

  private Optional<X509Certificate> cross(CaMaterial next, CaMaterial active, Instant now) {
    if (!policy.crossSign() || policy.offlineRoot().isPresent() || next.chain().size() != 1) {
      return Optional.empty();
    }
    if (active.certificate().getBasicConstraints() < 1) {
      // RFC 5280: a root with path length 0 may not have a CA (the cross-certificate) below it.
      LOG.warn("Not cross-signing CA {}: the active root {} has path length 0, so no validator would accept "
          + "the cross-certificate; roots generated with cross-signing on get path length 1",
          next.fingerprint().shortForm(), active.fingerprint().shortForm());
      return Optional.empty();
    }
    return Optional.of(oneCa.caFactory().caGenerator().crossCertify(next.certificate(), active, now));
  }

  private void sighted(long version, CaRecord record) {
    Fingerprint prepared = record.prepared().orElseThrow().fingerprint();
    PreparedSighting seen = preparedSighting;
    if (seen == null || !seen.fingerprint().equals(prepared)) {
      preparedSighting = new PreparedSighting(prepared, version);
    }
  }

  /** Notes the prepared CA of every state this replica adopts, for the activation condition. */
  void observe(long version, CaRecord record) {
    if (record.prepared().isPresent()) {
      sighted(version, record);
    }
  }

  private CompletableFuture<TransitionResult> run(String step, Plan plan) {
    CompletableFuture<TransitionResult> result = new CompletableFuture<>();
    oneCa.adoptedState();
    attempt(step, plan, 1, result);
    return result;
  }

  private void attempt(String step, Plan plan, int attempt, CompletableFuture<TransitionResult> result) {
    String key = oneCa.caKey();
    oneCa.store().get(key).thenComposeAsync(read -> {
      Versioned<byte[]> stored = read.orElseThrow(() -> new OneCaException("CA key '" + key + "' is missing from "
          + oneCa.store().backend() + "; rotation never re-creates a CA: restore the record"));
      return oneCa.inspectAndFollow(stored).thenApply(record -> new Read(stored, record));
    }, oneCa.scheduler()).thenAcceptAsync(read -> {
      Versioned<byte[]> stored = read.stored();
      CaRecord record = read.record();
      Decision decision = plan.decide(stored.version(), record, attempt);
      if (decision instanceof Stop stop) {
        result.complete(new TransitionResult(step, stop.outcome(), stop.detail(), status(stored.version(), record)));
        return;
      }
      Write write = (Write) decision;
      byte[] bytes = oneCa.encode(write.next());
      CompletableFuture<?> admitted = write.admit() == null ? CompletableFuture.completedFuture(null)
          : oneCa.admitToLineage(record.active().fingerprint(), write.admit());
      admitted.thenCompose(ignored -> {
        // Any state held now was in the store before this write: applied at a lower version, it proves a regression.
        long basis = oneCa.generation();
        return oneCa.store().compareAndSet(key, Precondition.atVersion(stored.version()), bytes)
            .thenApply(written -> new Sent(written, basis));
      }).whenCompleteAsync((sent, error) -> {
            CasResult written = sent == null ? null : sent.result();
            try {
              if (error != null) {
                result.completeExceptionally(unwrap(error));
              } else if (written instanceof CasResult.Applied applied) {
                long version = applied.value().version();
                oneCa.adoptWritten(applied.value(), write.next(), sent.basis());
                write.onApplied().run();
                LOG.info("CA rotation ({}) at version {} of '{}': {}", step, version, key, write.detail());
                TransitionResult done = new TransitionResult(step, Outcome.APPLIED, write.detail(),
                    status(version, write.next()));
                if (!write.distrustPrevious()) {
                  result.complete(done);
                } else {
                  // Distrusted only once the record no longer holds it: a write that failed leaves the old CA
                  // active, and fresh replicas must still start on it.
                  Fingerprint old = record.active().fingerprint();
                  oneCa.distrustInLineage(old).whenComplete((ignored, failure) -> {
                    if (failure != null) {
                      LOG.warn("CA rotation ({}) of '{}': could not mark CA {} distrusted in the lineage evidence; "
                          + "a store restored to a record holding it would be adopted again: {}", step, key,
                          old.shortForm(), unwrap(failure).toString());
                    }
                    result.complete(done);
                  });
                }
              } else if (attempt < MAX_ATTEMPTS) {
                attempt(step, plan, attempt + 1, result);
              } else {
                result.completeExceptionally(new StoreUnavailableException(oneCa.store().backend(), key, false,
                    "the CA record kept changing during rotation step '" + step + "' for " + attempt + " attempts",
                    null));
              }
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          }, oneCa.scheduler());
    }, oneCa.scheduler()).exceptionally(error -> {
      result.completeExceptionally(unwrap(error));
      return null;
    });
  }

  RotationStatus status(long version, CaRecord record) {
    X509Certificate active = record.active().certificate();
    CaSlot activeSlot = new CaSlot(CaSlot.Role.ACTIVE, record.active().fingerprint(), record.active().chain(),
        Optional.empty(), Optional.empty(), record.activeCross());
    Optional<CaSlot> prepared = record.prepared().map(next -> new CaSlot(CaSlot.Role.PREPARED, next.fingerprint(),
        next.chain(), record.preparedAt(), Optional.empty(), record.preparedCross()));
    List<CaSlot> retired = record.retired().stream().map(old -> new CaSlot(CaSlot.Role.RETIRED, old.fingerprint(),
        old.chain(), Optional.of(old.retiredAt()), Optional.of(old.retainUntil()), Optional.empty())).toList();
    return new RotationStatus(version, activeSlot, prepared, retired, record.trustBundle(),
        policy.thresholds().prepareAt(active), policy.thresholds().activateAt(active));
  }

  private static String shortName(CaMaterial material) {
    return material.fingerprint().shortForm();
  }

  private static String names(List<RetiredCa> retired) {
    return retired.stream().map(old -> old.fingerprint().shortForm()).toList().toString();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** A successor generated at most once per step, and discarded if the step did not write it. */
  private final class Successor {
    private final OfflineRoot root;
    private CaMaterial generated;

    Successor(OfflineRoot root) {
      this.root = root;
    }

    boolean possible() {
      return root == null || root.privateKey().isPresent();
    }

    String impossibleReason() {
      return "a successor must be signed by the offline root " + root.certificate().getSubjectX500Principal().getName()
          + ", whose key this replica does not have: run prepare with the root's key (oneca rotate prepare)";
    }

    synchronized CaMaterial get(Instant now) {
      if (generated == null) {
        generated = oneCa.caFactory().successor(now, root);
      }
      return generated;
    }

    synchronized void discardUnless(TransitionResult result) {
      if (generated != null && (result == null || !result.applied())) {
        oneCa.caFactory().discard(generated);
      }
      generated = null;
    }
  }
}
