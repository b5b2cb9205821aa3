package io.oneca.core;

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

  private volatile Instant lastSuccessfulSync;
  private volatile long lastSeenVersion;
  private volatile String lastProblem;
  private volatile Instant lastProblemAt;
  private volatile boolean storeMissing;
  private volatile long rejectedVersion;

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
