package io.oneca.samples.cloudcore.edge;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one edge node, for the demo's table and the tests' checks.
 *
 * @param node the node's name
 * @param joinedVia the replica it joined through, or empty if it started from existing files
 * @param streamReplica the replica its hub stream is open to, or empty while it is reconnecting
 * @param streamConnects how many times a hub stream was opened
 * @param serial the serial of the certificate on disk (hex)
 * @param issuerFingerprint the SHA-256 fingerprint of the CA that signed it, as far as the bundle tells
 * @param notAfter when that certificate expires
 * @param activeCa the active CA the hub last announced
 * @param bundleVersion the store version of the newest bundle received
 * @param renewals how many renewals succeeded
 * @param pingsOk how many pings succeeded
 * @param failures failed pings and stream attempts by kind
 * @param lastFailure the last failure's description, if any
 * @param handshakes how many TLS connections the edge opened (pings, every retry, streams, renewals):
 *     each is a fresh, full handshake
 * @param pingsRetried pings that met an unavailable replica and then succeeded on another one
 * @param pingsUnanswered pings that met an unavailable replica and found no replica to answer them
 */
public record EdgeStatus(
    String node, Optional<String> joinedVia, Optional<String> streamReplica, long streamConnects, String serial,
    String issuerFingerprint, Instant notAfter, String activeCa, long bundleVersion, long renewals, long pingsOk,
    Map<FailureKind, Long> failures, Optional<String> lastFailure, long handshakes, long pingsRetried,
    long pingsUnanswered) {

  /** Returns the number of failures of one kind. */
  public long failures(FailureKind kind) {
    return failures.getOrDefault(kind, 0L);
  }

  /** Returns whether the certificate on disk was signed by the active CA the hub announced. */
  public boolean onActiveCa() {
    return activeCa != null && activeCa.equals(issuerFingerprint);
  }
}
