package io.oneca.core;

import io.oneca.api.Fingerprint;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and last-known facts about following the store, read by the health report and the
 * metrics binder. Written by one follower; read from anywhere.
 */
final class OneCaStats {
  final LongAdder reloads = new LongAdder();
  final LongAdder reloadFailures = new LongAdder();
  final LongAdder storeErrors = new LongAdder();
  final LongAdder driftDetected = new LongAdder();
  /** Successful resync reads and explicit reloads. */
  final LongAdder reads = new LongAdder();
  /** Stored versions refused because their CA does not continue the line; each version once. */
  final LongAdder lineageRefusals = new LongAdder();
  /** Regressions seen (a lower version, or the same version with other bytes); each once. */
  final LongAdder regressions = new LongAdder();

  /** A stored version refused by the lineage rule. */
  record Refusal(long version, String contentHash, Fingerprint ca, String problem, Instant at) {}

  /** The store found behind what this replica held. */
  record Regression(long version, String contentHash, long heldVersion, String detail, Instant at) {}

  private volatile Instant lastSuccessfulSync;
  private volatile long lastSeenVersion;
  private volatile String lastProblem;
  private volatile Instant lastProblemAt;
  private volatile boolean storeMissing;
  private volatile long rejectedVersion;
  private volatile Refusal refusal;
  private volatile Regression regression;

  void syncSucceeded(Instant at, long version) {
    lastSuccessfulSync = at;
    lastSeenVersion = version;
    storeMissing = false;
    if (version > rejectedVersion) {
      rejectedVersion = 0;
    }
  }

  void reloaded(Instant at, long version) {
    reloads.increment();
    syncSucceeded(at, version);
    Refusal refused = refusal;
    if (refused != null && version >= refused.version()) {
      refusal = null;
    }
    if (version >= rejectedVersion) {
      rejectedVersion = 0;
    }
  }

  /** Forgets rejections and refusals: a regressed store no longer holds what they were about. */
  void storeRegressed() {
    refusal = null;
    rejectedVersion = 0;
  }

  /**
   * Records a stored version refused by the lineage rule.
   *
   * @return whether this version (and content) is refused for the first time
   */
  boolean lineageRefused(Instant at, long version, String contentHash, Fingerprint ca, String problem) {
    Refusal old = refusal;
    boolean fresh = old == null || old.version() != version || !old.contentHash().equals(contentHash);
    refusal = new Refusal(version, contentHash, ca, problem, old != null && !fresh ? old.at() : at);
    if (fresh) {
      lineageRefusals.increment();
    }
    lastSeenVersion = version;
    storeMissing = false;
    problem(at, problem);
    return fresh;
  }

  /**
   * Records a regression of the store.
   *
   * @return whether this regressed version (and content) is seen for the first time
   */
  boolean regressed(Instant at, long version, String contentHash, long heldVersion, String detail) {
    Regression old = regression;
    boolean fresh = old == null || old.version() != version || !old.contentHash().equals(contentHash);
    if (fresh) {
      regressions.increment();
      regression = new Regression(version, contentHash, heldVersion, detail, at);
    }
    return fresh;
  }

  /** The refusal in force: the newest stored version refused by the lineage rule, not superseded. */
  Refusal refusal() {
    return refusal;
  }

  /** The last regression seen, or {@code null}. */
  Regression regression() {
    return regression;
  }

  /** Records a rejected stored version; the counter counts each rejected version once. */
  void reloadFailed(Instant at, long version, String problem) {
    if (version != rejectedVersion) {
      reloadFailures.increment();
    }
    lastSeenVersion = version;
    rejectedVersion = version;
    storeMissing = false;
    problem(at, problem);
  }

  void storeMissing(Instant at) {
    storeMissing = true;
    problem(at, "the CA record is missing from the store");
  }

  void storeError(Instant at, String problem) {
    storeErrors.increment();
    problem(at, problem);
  }

  private void problem(Instant at, String problem) {
    lastProblem = problem;
    lastProblemAt = at;
  }

  Instant lastSuccessfulSync() {
    return lastSuccessfulSync;
  }

  long lastSeenVersion() {
    return lastSeenVersion;
  }

  boolean storeMissing() {
    return storeMissing;
  }

  /** The newest store version that was rejected and not superseded, or 0. */
  long rejectedVersion() {
    return rejectedVersion;
  }

  String lastProblem() {
    return lastProblem;
  }

  Instant lastProblemAt() {
    return lastProblemAt;
  }
}
