package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.core.health.ExpiryLevel;
import io.oneca.core.health.HealthCheck;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.tls.DriftReport;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of {@link OneCa#health()}, computed from what the replica already knows: consistency
 * with the last store read, the age of that read, expiry of the CA and of each identity, rotation,
 * renewal and drift.
 */
final class HealthChecks {
  private final OneCa.OneCaSettings settings;
  private final OneCaStats stats;
  private final ExpiryMonitor expiry;
  private final CaRotation rotation;

  HealthChecks(OneCa.OneCaSettings settings, OneCaStats stats, ExpiryMonitor expiry, CaRotation rotation) {
    this.settings = settings;
    this.stats = stats;
    this.expiry = expiry;
    this.rotation = rotation;
  }

  List<HealthCheck> all(CaCache.CaState state, Instant now, List<ManagedIdentity> identities) {
    List<HealthCheck> checks = new ArrayList<>();
    checks.add(caConsistencyCheck(state));
    checks.add(lineageCheck(state));
    checks.add(regressionCheck(state));
    checks.add(storeReadCheck(now));
    checks.add(expiryCheck("ca", state.view().chain().get(0), now));
    checks.add(rotationCheck(state, now));
    checks.add(stalenessCheck(state, now));
    for (ManagedIdentity identity : identities) {
      String name = identity.spec().name();
      checks.add(expiryCheck("identity:" + name, identity.current().certificate(), now));
      checks.add(identity.lastFailure()
          .map(failure -> new HealthCheck("renewal:" + name, HealthStatus.DEGRADED,
              identity.renewalFailures() + " failed renewals so far; the last: " + failure))
          .orElse(new HealthCheck("renewal:" + name, HealthStatus.UP, "next renewal at " + identity.nextRenewal())));
      identity.lastDrift().ifPresent(report -> checks.add(driftCheck(name, report)));
    }
    return checks;
  }

  private HealthCheck caConsistencyCheck(CaCache.CaState state) {
    String name = "ca-consistency";
    OneCaStats.Refusal refusal = stats.refusal();
    if (refusal != null) {
      return new HealthCheck(name, HealthStatus.DOWN, "the store holds version " + refusal.version() + " with CA "
          + refusal.ca().shortForm() + ", which this replica refuses (see ca-lineage); serving version "
          + state.version() + " (" + state.view().fingerprint().shortForm() + ")");
    }
    if (stats.storeMissing()) {
      return new HealthCheck(name, HealthStatus.DEGRADED, "the store holds no CA record at '" + settings.caKey()
          + "'; this replica keeps serving version " + state.version() + ", but a new replica would create a "
          + "different CA: restore the record");
    }
    if (stats.rejectedVersion() > state.version()) {
      return new HealthCheck(name, HealthStatus.DEGRADED, "the store holds version " + stats.rejectedVersion()
          + " which cannot be used; serving version " + state.version() + ": " + stats.lastProblem());
    }
    if (stats.lastSeenVersion() != 0 && stats.lastSeenVersion() < state.version()) {
      return new HealthCheck(name, HealthStatus.DEGRADED, "the store holds an older version ("
          + stats.lastSeenVersion() + ") than memory (" + state.version() + "): was it restored from a backup?");
    }
    return new HealthCheck(name, HealthStatus.UP, "serving CA " + state.view().fingerprint().shortForm()
        + " at version " + state.version() + ", the newest usable version seen in the store");
  }

  private HealthCheck lineageCheck(CaCache.CaState state) {
    OneCaStats.Refusal refusal = stats.refusal();
    if (refusal != null) {
      return new HealthCheck("ca-lineage", HealthStatus.DOWN, "discontinuity: key '" + settings.caKey()
          + "' version " + refusal.version() + " holds CA " + refusal.ca().sha256Hex() + ", which does not continue "
          + "CA " + state.view().fingerprint().sha256Hex() + " in use (version " + state.version() + "); refused since "
          + refusal.at() + ". Restore the record, or reset the lineage on purpose and restart this replica");
    }
    return new HealthCheck("ca-lineage", HealthStatus.UP, "CA " + state.view().fingerprint().shortForm()
        + " continues the line this replica holds");
  }

  private HealthCheck regressionCheck(CaCache.CaState state) {
    OneCaStats.Regression regression = stats.regression();
    if (regression == null) {
      return new HealthCheck("ca-regression", HealthStatus.UP, "the store has never gone backwards under this "
          + "replica");
    }
    if (state.version() <= regression.heldVersion()) {
      return new HealthCheck("ca-regression", HealthStatus.DEGRADED, regression.detail() + " (seen "
          + regression.at() + "); stays DEGRADED until the store passes version " + regression.heldVersion());
    }
    return new HealthCheck("ca-regression", HealthStatus.UP, "the store has moved past the regression seen at "
        + regression.at() + ": " + regression.detail());
  }

  private HealthCheck rotationCheck(CaCache.CaState state, Instant now) {
    RotationStatus status = rotation.status(state.version(), state.record());
    Optional<String> failure = rotation.lastAutomaticFailure();
    if (failure.isPresent()) {
      return new HealthCheck("rotation", HealthStatus.DEGRADED, "the last automatic rotation step failed: "
          + failure.get());
    }
    Optional<TransitionResult> last = rotation.lastAutomatic();
    if (last.isPresent() && last.get().outcome() == TransitionResult.Outcome.NEEDS_OFFLINE_ROOT
        && status.prepared().isEmpty()) {
      return new HealthCheck("rotation", HealthStatus.DEGRADED, last.get().detail());
    }
    if (status.prepared().isEmpty() && !now.isBefore(status.activateAt())) {
      return new HealthCheck("rotation", HealthStatus.DEGRADED, "the CA should have been rotated by "
          + status.activateAt() + " but no successor is prepared"
          + (settings.rotationPolicy().automatic() ? "" : "; automatic rotation is off: run prepare and activate"));
    }
    String next = status.prepared().isPresent()
        ? "CA " + status.prepared().get().fingerprint().shortForm() + " is prepared; activation due at "
            + status.activateAt()
        : "next successor due at " + status.prepareAt();
    return new HealthCheck("rotation", HealthStatus.UP, next + "; " + status.retired().size()
        + " retired CA(s) still trusted"
        + last.filter(result -> result.outcome() == TransitionResult.Outcome.GATE_CLOSED)
            .map(result -> "; " + result.detail()).orElse(""));
  }

  private HealthCheck storeReadCheck(Instant now) {
    Instant last = stats.lastSuccessfulSync();
    Duration limit = settings.resyncInterval().multipliedBy(3);
    if (last == null) {
      return new HealthCheck("store-read", HealthStatus.DEGRADED, "no successful store read recorded yet");
    }
    Duration age = Duration.between(last, now);
    if (age.compareTo(limit) > 0) {
      return new HealthCheck("store-read", HealthStatus.DEGRADED, "the last successful read of the store was "
          + age.toSeconds() + " s ago (limit " + limit.toSeconds() + " s)"
          + (stats.lastProblem() == null ? "" : "; last problem: " + stats.lastProblem()));
    }
    return new HealthCheck("store-read", HealthStatus.UP, "last successful store read " + age.toMillis()
        + " ms ago");
  }

  /** DOWN while issuance is refused because the store has not been read for longer than allowed. */
  private HealthCheck stalenessCheck(CaCache.CaState state, Instant now) {
    String name = "store-staleness";
    Duration limit = settings.maxStoreStaleness();
    Instant last = stats.lastSuccessfulSync();
    if (last == null || Duration.between(last, now).compareTo(limit) > 0) {
      return new HealthCheck(name, HealthStatus.DOWN, "refusing to issue from CA version " + state.version()
          + ": no successful store read " + (last == null ? "yet" : "since " + last + " ("
              + Duration.between(last, now).toSeconds() + " s ago)") + ", limit " + limit.toSeconds()
          + " s; the CA may have been rotated or distrusted meanwhile"
          + (stats.lastProblem() == null ? "" : "; last problem: " + stats.lastProblem()));
    }
    return new HealthCheck(name, HealthStatus.UP, "issuing: last successful store read "
        + Duration.between(last, now).toSeconds() + " s ago, refusing after " + limit.toSeconds() + " s");
  }

  private HealthCheck expiryCheck(String name, X509Certificate certificate, Instant now) {
    ExpiryLevel level = expiry.level(certificate, now);
    Instant notAfter = certificate.getNotAfter().toInstant();
    HealthStatus status = switch (level) {
      case OK -> HealthStatus.UP;
      case WARNING, CRITICAL -> HealthStatus.DEGRADED;
      case EXPIRED -> HealthStatus.DOWN;
    };
    return new HealthCheck("expiry:" + name, status, level + ": " + Fingerprint.of(certificate).shortForm()
        + " expires " + notAfter + " (" + Duration.between(now, notAfter).toSeconds() + " s left)");
  }

  private static HealthCheck driftCheck(String name, DriftReport report) {
    return new HealthCheck("drift:" + name, report.drifted() ? HealthStatus.DEGRADED : HealthStatus.UP,
        report.detail() + " (checked " + report.checkedAt() + ")");
  }

}
