package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.audit.AuditSink;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.audit.Auditor;
import io.oneca.core.internal.audit.Slf4jAuditSink;
import io.oneca.core.internal.record.LineageEvidence;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Starting a CA key over, on purpose: the operator action that lets a new, unrelated CA be founded
 * where one existed. OneCA keeps evidence that a CA existed at {@code <caKey>.lineage}; while it is
 * there a replica that finds the record missing refuses to found a new CA (it fails with
 * {@link io.oneca.api.CaLineageException}, naming the fingerprint). A reset names the fingerprint
 * the operator expects the evidence to hold and, only if it does, replaces the evidence with an open
 * reset, written with a compare-and-set from the version read.
 *
 * <p>After a reset, the next replica that starts without a record founds a new CA and closes the
 * evidence with it; running replicas that still hold the old CA adopt the new one (the evidence
 * says an operator reset the line) instead of refusing it. A reset does not delete the CA record:
 * if one is still stored, replicas keep it. Start over only when every peer can be re-enrolled:
 * leaves and trust bundles of the old CA mean nothing to the new one.
 *
 * <pre>{@code
 * CaLineageReset.Result result = CaLineageReset.reset(store, "oneca/ca",
 *     new Fingerprint(fingerprintFromTheError), auditSink, "ops:alice").get(30, TimeUnit.SECONDS);
 * }</pre>
 */
public final class CaLineageReset {
  private CaLineageReset() {}

  /** What a reset did. */
  public enum Outcome {
    /** The evidence named the expected fingerprint and was replaced by an open reset. */
    RESET,
    /** The evidence names other CAs; nothing was written. */
    MISMATCH,
    /** There is no evidence at the key (or it is already open); nothing was written. */
    NOTHING_TO_RESET,
    /** The evidence changed between the read and the compare-and-set; nothing was written. Run it again. */
    CONFLICT
  }

  /**
   * The result of a reset.
   *
   * @param outcome what happened
   * @param evidenceKey the key of the lineage evidence
   * @param detail a sentence for operators, naming the fingerprints found
   */
  public record Result(Outcome outcome, String evidenceKey, String detail) {
    /** Validates presence. */
    public Result {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(evidenceKey, "evidenceKey");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Resets the lineage of {@code caKey}, auditing to the default sink (the SLF4J logger
   * {@code io.oneca.audit}).
   *
   * @see #reset(VersionedStore, String, Fingerprint, AuditSink, String)
   */
  public static CompletableFuture<Result> reset(VersionedStore store, String caKey, Fingerprint expected,
      String actor) {
    return reset(store, caKey, expected, Slf4jAuditSink.instance(), actor);
  }

  /**
   * Resets the lineage of {@code caKey} if its evidence names {@code expected} (the founding CA or
   * an admitted one, as {@link io.oneca.api.CaLineageException#fingerprints()} lists them).
   *
   * @param store the store; not closed
   * @param caKey the CA record's key
   * @param expected the fingerprint the evidence must name
   * @param auditSink receives a {@link AuditEventType#CA_LINEAGE_RESET} event when the reset applies
   * @param actor who resets, recorded in the evidence and as the audit event's replica id
   * @return completes with the result; exceptionally if the store fails or the evidence is unreadable
   *     ({@link io.oneca.api.UnreadableRecordException}, left untouched)
   */
  public static CompletableFuture<Result> reset(VersionedStore store, String caKey, Fingerprint expected,
      AuditSink auditSink, String actor) {
    Objects.requireNonNull(store, "store");
    StoreKeys.validateKey(caKey);
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(auditSink, "auditSink");
    Objects.requireNonNull(actor, "actor");
    InstantSource clock = InstantSource.system();
    LineageLedger ledger = new LineageLedger(store, caKey, clock, actor);
    String evidenceKey = ledger.evidenceKey();
    return ledger.read().thenCompose(found -> {
      if (found.isEmpty() || found.get().value().open()) {
        return CompletableFuture.completedFuture(new Result(Outcome.NOTHING_TO_RESET, evidenceKey,
            found.isEmpty() ? "no lineage evidence at '" + evidenceKey + "'; a replica may found a CA already"
                : "the lineage at '" + evidenceKey + "' is already reset (from "
                    + found.get().value().resetFrom().orElse("?") + "); the next replica founds a new CA"));
      }
      Versioned<LineageEvidence> stored = found.get();
      LineageEvidence evidence = stored.value();
      if (!evidence.fingerprints().contains(expected.sha256Hex())) {
        return CompletableFuture.completedFuture(new Result(Outcome.MISMATCH, evidenceKey, "the lineage evidence at '"
            + evidenceKey + "' names " + evidence.fingerprints() + ", not " + expected.sha256Hex() + "; nothing changed"));
      }
      LineageEvidence reset = LineageEvidence.reset(caKey, expected, clock.instant(), actor);
      return store.compareAndSet(evidenceKey, io.oneca.api.store.Precondition.atVersion(stored.version()),
          reset.encode()).thenApply(written -> {
            if (!written.applied()) {
              return new Result(Outcome.CONFLICT, evidenceKey, "the lineage evidence at '" + evidenceKey
                  + "' changed while resetting; nothing was written: run the reset again");
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("caFingerprint", expected.sha256Hex());
            details.put("evidenceKey", evidenceKey);
            details.put("foundedBy", evidence.founded().orElse(""));
            new Auditor(auditSink, clock, actor, caKey).record(AuditEventType.CA_LINEAGE_RESET, 0, details);
            return new Result(Outcome.RESET, evidenceKey, "the lineage of '" + caKey + "' was reset from CA "
                + expected.sha256Hex() + ": the next replica that finds no record founds a new CA, and running "
                + "replicas adopt it");
          });
    });
  }
}
