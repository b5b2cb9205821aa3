package io.oneca.samples.cloudcore.soak;

import io.oneca.samples.cloudcore.demo.DemoCheck;
import io.oneca.samples.cloudcore.edge.FailureKind;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a soak run counted and whether every check held.
 *
 * @param elapsed how long the edges' traffic ran
 * @param handshakes TLS connections the edges opened (pings and their retries, streams, renewals), each a full handshake
 * @param pingsOk pings answered with success
 * @param pingsRetried pings that met an unavailable replica and then succeeded on another one
 * @param pingsUnanswered pings that met an unavailable replica and found no replica to answer
 * @param failures failed requests of the edges (pings, streams, renewals) by cause
 * @param edgeRenewals renewals of edge certificates
 * @param streamConnects hub streams opened
 * @param replicaServingChanges serving certificates the replicas took into use (start, renewal, rotation)
 * @param faults how many faults of each kind were injected
 * @param checks every end check, in order
 */
public record SoakResult(
    Duration elapsed, long handshakes, long pingsOk, long pingsRetried, long pingsUnanswered,
    Map<FailureKind, Long> failures, long edgeRenewals, long streamConnects, long replicaServingChanges,
    Map<SoakFault, Long> faults, List<DemoCheck> checks) {

  /** Copies the collections. */
  public SoakResult {
    failures = Map.copyOf(failures);
    faults = Map.copyOf(faults);
    checks = List.copyOf(checks);
  }

  /** Returns whether there were checks and every one held. */
  public boolean passed() {
    return !checks.isEmpty() && checks.stream().allMatch(DemoCheck::passed);
  }

  /** Returns the failures of one kind. */
  public long failures(FailureKind kind) {
    return failures.getOrDefault(kind, 0L);
  }

  /** Returns how many faults of one kind were injected. */
  public long faults(SoakFault kind) {
    return faults.getOrDefault(kind, 0L);
  }

  /** Returns handshakes per second over the whole run. */
  public double handshakesPerSecond() {
    return elapsed.isZero() ? 0 : handshakes / (elapsed.toMillis() / 1000.0);
  }

  /** Prints the summary table and the checks. */
  public void print(PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "%-44s %14s%n", "soak summary", "");
    row(out, "traffic time (s)", String.format(Locale.ROOT, "%.1f", elapsed.toMillis() / 1000.0));
    row(out, "TLS handshakes (full, by the edges)", Long.toString(handshakes));
    row(out, "handshakes per second", String.format(Locale.ROOT, "%.1f", handshakesPerSecond()));
    row(out, "pings answered", Long.toString(pingsOk));
    row(out, "pings retried after an unavailable replica", Long.toString(pingsRetried));
    row(out, "pings no replica answered", Long.toString(pingsUnanswered));
    Map<FailureKind, Long> all = new EnumMap<>(FailureKind.class);
    for (FailureKind kind : FailureKind.values()) {
      all.put(kind, failures(kind));
    }
    all.forEach((kind, n) -> row(out, "failed requests: " + kind, Long.toString(n)));
    row(out, "edge renewals", Long.toString(edgeRenewals));
    row(out, "hub streams opened", Long.toString(streamConnects));
    row(out, "replica serving certificates taken into use", Long.toString(replicaServingChanges));
    for (SoakFault fault : SoakFault.values()) {
      row(out, "fault: " + fault.description(), Long.toString(faults(fault)));
    }
    out.println();
    for (DemoCheck c : checks) {
      out.printf(Locale.ROOT, "  %s %-58s %s%n", c.passed() ? "ok  " : "FAIL", c.name(), c.detail());
    }
    out.println();
    out.println(passed() ? "OK: every check held." : "FAILED: see the checks above and the logs.");
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf(Locale.ROOT, "  %-50s %14s%n", name, value);
  }
}
