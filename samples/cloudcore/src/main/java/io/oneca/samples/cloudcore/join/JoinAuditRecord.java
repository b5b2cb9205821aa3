package io.oneca.samples.cloudcore.join;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the audit keeps of one join attempt. Never a token or CSR: the token is named by its id,
 * and only once its signature verified (an unverified token's content is the attacker's words).
 *
 * @param time when the attempt ended
 * @param outcome how it ended
 * @param status the HTTP status sent
 * @param errorCode the error code sent, empty on success
 * @param node the node the verified token admits, if the token verified
 * @param tokenId the verified token's id, if the token verified
 * @param source the client's address
 * @param serial the issued certificate's serial number in hex, on success
 */
public record JoinAuditRecord(
    Instant time,
    JoinOutcome outcome,
    int status,
    Optional<String> errorCode,
    Optional<String> node,
    Optional<String> tokenId,
    String source,
    Optional<String> serial) {

  /** Validates the fields. */
  public JoinAuditRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(serial, "serial");
  }

  /** Returns the record as one {@code key=value} log line. */
  public String toLogLine() {
    return "join outcome=" + outcome.tag() + " status=" + status + " error=" + errorCode.orElse("-")
        + " node=" + node.orElse("-") + " token_id=" + tokenId.orElse("-") + " source=" + source
        + " serial=" + serial.orElse("-");
  }
}
