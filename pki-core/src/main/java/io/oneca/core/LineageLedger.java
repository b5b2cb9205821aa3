package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.record.LineageEvidence;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Reads and writes the {@link LineageEvidence} of one CA key, each write a compare-and-set from the
 * version read (retried a bounded number of times on conflict). Thread-safe; completes on the
 * store's threads.
 */
final class LineageLedger {
  private static final int MAX_ATTEMPTS = 16;

  private final VersionedStore store;
  private final String caKey;
  private final String evidenceKey;
  private final InstantSource clock;
  private final String writer;

  LineageLedger(VersionedStore store, String caKey, InstantSource clock, String writer) {
    this.store = store;
    this.caKey = caKey;
    this.evidenceKey = LineageEvidence.keyOf(caKey);
    this.clock = clock;
    this.writer = writer;
  }

  String evidenceKey() {
    return evidenceKey;
  }

  /** Reads the evidence; fails with an {@link io.oneca.api.UnreadableRecordException} if it cannot be decoded. */
  CompletableFuture<Optional<Versioned<LineageEvidence>>> read() {
    return store.get(evidenceKey).thenApply(found -> found.map(stored -> stored.map(
        bytes -> LineageEvidence.decode(bytes, store.backend(), evidenceKey, stored.version()))));
  }

  /**
   * Makes the evidence name a line {@code ca} belongs to: creates it (founded by {@code ca}) if
   * absent, closes an open reset with {@code ca}, leaves existing evidence alone.
   *
   * @return completes with the evidence now stored
   */
  CompletableFuture<LineageEvidence> record(Fingerprint ca) {
    return update(current -> {
      if (current == null) {
        return LineageEvidence.founded(caKey, ca, clock.instant(), writer);
      }
      return current.open() ? current.foundedBy(ca, clock.instant(), writer) : null;
    }, 1);
  }

  /**
   * Admits {@code next} into the line (an operator's forced rotation), creating the evidence with
   * {@code current} as the founder if it is missing.
   */
  CompletableFuture<LineageEvidence> admit(Fingerprint current, Fingerprint next) {
    return update(evidence -> {
      LineageEvidence base = evidence != null ? evidence : LineageEvidence.founded(caKey, current, clock.instant(), writer);
      if (base.open()) {
        base = base.foundedBy(current, clock.instant(), writer);
      }
      return base.admitted().contains(next.sha256Hex()) && evidence != null ? null
          : base.admit(next, clock.instant(), writer);
    }, 1);
  }

  /**
   * Distrusts {@code ca} on the line (after a forced rotation with distrust replaced it in the record):
   * never admitted again until an operator reset. Writes nothing if the evidence is absent or open.
   */
  CompletableFuture<LineageEvidence> distrust(Fingerprint ca) {
    return update(evidence -> evidence == null || evidence.open() || evidence.distrusts(ca) ? null
        : evidence.distrust(ca, clock.instant(), writer), 1);
  }

  /**
   * Applies {@code change} to the evidence read (or {@code null} when absent) and writes the result
   * with a compare-and-set; a {@code null} result writes nothing. Retries on conflict.
   */
  CompletableFuture<LineageEvidence> update(Function<LineageEvidence, LineageEvidence> change, int attempt) {
    return read().thenCompose(found -> {
      LineageEvidence current = found.map(Versioned::value).orElse(null);
      LineageEvidence next = change.apply(current);
      if (next == null) {
        return CompletableFuture.completedFuture(current);
      }
      Precondition precondition = found.map(stored -> Precondition.atVersion(stored.version()))
          .orElse(Precondition.absent());
      return store.compareAndSet(evidenceKey, precondition, next.encode()).thenCompose(result -> {
        if (result instanceof CasResult.Applied) {
          return CompletableFuture.completedFuture(next);
        }
        if (attempt >= MAX_ATTEMPTS) {
          return CompletableFuture.failedFuture(new StoreUnavailableException(store.backend(), evidenceKey, false,
              "the lineage evidence kept changing for " + attempt + " attempts", null));
        }
        return update(change, attempt + 1);
      });
    });
  }
}
