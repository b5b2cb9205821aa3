package io.oneca.core;

import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.CaLineageException;
import io.oneca.api.ClockSkewException;
import io.oneca.api.Fingerprint;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.internal.record.LineageEvidence;
import java.security.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.security.auth.DestroyFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the exactly-one-CA bootstrap: read; if present adopt; if absent create-if-absent a
 * candidate; on conflict adopt the winner; on an unavailable store (or a write whose outcome is
 * unknown) back off and re-read. A CA is handed out only once the store has confirmed it, and a
 * record that cannot be used fails the run without being overwritten.
 */
final class Bootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

  /** The CA the store confirmed, and how; {@code stored} is the record as the store holds it. */
  record Adoption(Outcome outcome, CaRecord record, Versioned<byte[]> stored, int attempts) {
    long version() {
      return stored.version();
    }
  }

  private final VersionedStore store;
  private final String key;
  private final CaRecordCodec codec;
  private final Provider provider;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final RetryPolicy retry;
  private final Random random;
  private final Supplier<CaRecord> candidates;
  private final boolean importing;
  private final LineageLedger ledger;
  private final Duration clockSkewTolerance;
  private final CompletableFuture<Adoption> result = new CompletableFuture<>();

  // Confined to one attempt at a time: attempts are chained, never concurrent.
  private CaRecord candidate;
  private byte[] candidateBytes;
  private boolean writeAttempted;
  private boolean recheckedRecord;
  private int attempts;

  Bootstrap(
      VersionedStore store,
      String key,
      CaRecordCodec codec,
      Provider provider,
      InstantSource clock,
      ScheduledExecutorService scheduler,
      RetryPolicy retry,
      Random random,
      Supplier<CaRecord> candidates,
      boolean importing,
      LineageLedger ledger,
      Duration clockSkewTolerance) {
    this.store = store;
    this.key = key;
    this.codec = codec;
    this.provider = provider;
    this.clock = clock;
    this.scheduler = scheduler;
    this.retry = retry;
    this.random = random;
    this.candidates = candidates;
    this.importing = importing;
    this.ledger = ledger;
    this.clockSkewTolerance = clockSkewTolerance;
  }

  CompletableFuture<Adoption> run() {
    scheduler.execute(() -> {
      if (importing) {
        // The imported CA is known before the first read: a stored copy of it is "already imported".
        try {
          candidate = candidates.get();
        } catch (RuntimeException e) {
          fail(e);
          return;
        }
      }
      attempt();
    });
    return result;
  }

  private void attempt() {
    attempts++;
    recheckedRecord = false;
    try {
      store.get(key).whenCompleteAsync(this::onRead, scheduler);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void onRead(Optional<Versioned<byte[]>> current, Throwable error) {
    try {
      if (error != null) {
        retryOrFail(error);
      } else if (current.isPresent()) {
        adoptStored(current.get());
      } else {
        ledger.read().whenCompleteAsync(this::onEvidence, scheduler);
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** The record is absent: found a CA only if no evidence says one existed (or an operator reset it). */
  private void onEvidence(Optional<Versioned<LineageEvidence>> evidence, Throwable error) {
    try {
      if (error != null) {
        retryOrFail(error);
        return;
      }
      if (evidence.isPresent() && !evidence.get().value().open()) {
        LineageEvidence found = evidence.get().value();
        if (importing && candidate != null && found.fingerprints().contains(candidate.active().fingerprint().sha256Hex())
            && !found.distrusts(candidate.active().fingerprint())) {
          // Re-importing the CA the line was founded with restores the record; it founds nothing new.
          writeCandidate();
          return;
        }
        if (!recheckedRecord) {
          // The evidence is written only after a record exists: a founder may have written both since our
          // read of the record. Read the record again before concluding it is gone.
          recheckedRecord = true;
          store.get(key).whenCompleteAsync((again, failure) -> {
            try {
              if (failure != null) {
                retryOrFail(failure);
              } else if (again.isPresent()) {
                adoptStored(again.get());
              } else {
                onEvidence(evidence, null);
              }
            } catch (RuntimeException e) {
              fail(e);
            }
          }, scheduler);
          return;
        }
        throw new CaLineageException(store.backend(), key, found.fingerprints(), "the record is gone but its "
            + "lineage evidence at '" + ledger.evidenceKey() + "' (written " + found.at() + " by " + found.by()
            + ") says a CA existed, so no new CA is founded. Restore the record from a backup, or start over on "
            + "purpose: reset the lineage naming that fingerprint (oneca lineage reset --expect-fingerprint ...)");
      }
      writeCandidate();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void writeCandidate() {
    if (candidate == null) {
      candidate = candidates.get();
    }
    if (candidateBytes == null) {
      candidateBytes = codec.encode(candidate, key);
      LOG.debug("{}: key '{}' is absent in {}; proposing CA {}", this, key, store.backend(),
          candidate.active().fingerprint().shortForm());
    }
    writeAttempted = true;
    store.compareAndSet(key, Precondition.absent(), candidateBytes).whenCompleteAsync(this::onWrite, scheduler);
  }

  private void onWrite(CasResult written, Throwable error) {
    try {
      if (error != null) {
        retryOrFail(error);
      } else if (written instanceof CasResult.Applied applied) {
        complete(importing ? Outcome.IMPORTED : Outcome.CREATED, candidate, applied.value());
      } else {
        Optional<Versioned<byte[]>> current = ((CasResult.Conflict) written).current();
        if (current.isPresent()) {
          adoptStored(current.get());
        } else if (attempts < retry.maxAttempts()) {
          // Created and deleted again between our read and our write: start over at once.
          scheduler.execute(this::attempt);
        } else {
          fail(new StoreUnavailableException(store.backend(), key, false,
              "the key kept changing under create-if-absent for " + attempts + " attempts", null));
        }
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void adoptStored(Versioned<byte[]> stored) {
    CaRecord record = codec.decode(stored, store.backend());
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>(CaChecks.structuralProblems(record.active(), provider));
    if (problems.isEmpty() && CaChecks.notYetValid(record.active(), now, clockSkewTolerance)) {
      throw new ClockSkewException(store.backend(), key, stored.version(),
          record.active().certificate().getNotBefore().toInstant(), now, clockSkewTolerance);
    }
    problems.addAll(CaChecks.validityProblems(record.active(), now, clockSkewTolerance));
    if (!problems.isEmpty()) {
      throw new UnreadableRecordException(store.backend(), key, stored.version(),
          "the stored CA cannot be used: " + String.join("; ", problems), null);
    }
    Fingerprint storedFingerprint = record.active().fingerprint();
    boolean sameAsCandidate = candidate != null && storedFingerprint.equals(candidate.active().fingerprint());
    Outcome outcome;
    if (writeAttempted && sameAsCandidate) {
      // Our write was applied although we did not get its reply.
      outcome = importing ? Outcome.IMPORTED : Outcome.CREATED;
    } else if (importing) {
      outcome = sameAsCandidate ? Outcome.ADOPTED_EXISTING : Outcome.DIFFERENT_CA_STORED;
    } else {
      outcome = writeAttempted ? Outcome.ADOPTED_WINNER : Outcome.ADOPTED_EXISTING;
    }
    if (!sameAsCandidate) {
      discardCandidate();
    }
    complete(outcome, record, stored);
  }

  private void retryOrFail(Throwable error) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof StoreUnavailableException unavailable)) {
      fail(cause);
      return;
    }
    if (attempts >= retry.maxAttempts()) {
      fail(new StoreUnavailableException(store.backend(), key, false,
          "gave up bootstrapping the CA after " + attempts + " attempts; no CA is in use", unavailable));
      return;
    }
    Duration wait = retry.backoff(attempts, random);
    LOG.warn("{}: attempt {} of {} failed ({}); re-reading in {} ms", this, attempts, retry.maxAttempts(),
        unavailable.getMessage(), wait.toMillis());
    scheduler.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void complete(Outcome outcome, CaRecord record, Versioned<byte[]> stored) {
    LOG.info("{}: using CA {} at version {} of '{}' in {} ({}, {} attempt{})", this,
        record.active().fingerprint().shortForm(), stored.version(), key, store.backend(), outcome, attempts,
        attempts == 1 ? "" : "s");
    Adoption adoption = new Adoption(outcome, record, stored, attempts);
    // The evidence follows the record: written after the record exists, so a concurrent founder that
    // has not written its record yet is never mistaken for a CA that existed.
    CompletableFuture<LineageEvidence> evidence;
    try {
      evidence = ledger.record(record.active().fingerprint());
    } catch (RuntimeException e) {
      evidence = CompletableFuture.failedFuture(e);
    }
    evidence.whenComplete((written, error) -> {
      if (error != null) {
        LOG.warn("{}: could not record the lineage evidence of CA {} at '{}' in {}; a replica that finds the "
            + "record deleted could then found a new CA: {}", this, record.active().fingerprint().shortForm(),
            ledger.evidenceKey(), store.backend(), unwrap(error).toString());
      } else if (written != null && written.distrusts(record.active().fingerprint())) {
        // A forced rotation distrusted this CA (it may be compromised): a restored record never brings it back.
        fail(new CaLineageException(store.backend(), key, List.of(record.active().fingerprint().sha256Hex()),
            "version " + stored.version() + " holds CA " + record.active().fingerprint().sha256Hex() + ", which a "
            + "forced rotation distrusted (lineage evidence at '" + ledger.evidenceKey() + "', written "
            + written.at() + " by " + written.by() + "), so it is not used. Restore a record holding a later CA, "
            + "run the forced rotation again if it did not complete, or start over on purpose: reset the lineage"));
        return;
      }
      result.complete(adoption);
    });
  }

  private void fail(Throwable error) {
    Throwable cause = unwrap(error);
    LOG.error("{}: bootstrap of CA key '{}' in {} failed: {}", this, key, store.backend(), cause.toString());
    discardCandidate();
    result.completeExceptionally(cause);
  }

  private void discardCandidate() {
    if (candidateBytes != null) {
      Arrays.fill(candidateBytes, (byte) 0);
      candidateBytes = null;
    }
    if (candidate != null && !importing) {
      try {
        candidate.active().privateKey().destroy();
      } catch (DestroyFailedException e) {
        // Most JCA keys cannot be destroyed; dropping the reference is all that is left.
        LOG.trace("candidate CA key cannot be destroyed by its provider", e);
      }
    }
    candidate = null;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Override
  public String toString() {
    return "bootstrap[" + key + "]";
  }
}
