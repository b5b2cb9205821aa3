package io.oneca.samples.cloudcore.join;

import java.time.Instant;
import java.util.Objects;

/**
 * The verified content of a join token: which node it admits, until when, and its identifier.
 * Holds no secret: the identifier is what audit records and the revocation list name, so that the
 * token itself is never logged or stored.
 *
 * @param id 24 lowercase hex characters (96 random bits), unique per minted token
 * @param nodeName the one node the token admits (see {@link NodeNames})
 * @param expiresAt the instant from which the token is no longer accepted
 */
public record JoinToken(String id, String nodeName, Instant expiresAt) {
  /** The length of {@link #id()}. */
  public static final int ID_LENGTH = 24;

  /** Validates the fields. */
  public JoinToken {
    Objects.requireNonNull(id, "id");
    if (!isValidId(id)) {
      throw new IllegalArgumentException("token id must be " + ID_LENGTH + " lowercase hex characters");
    }
    NodeNames.require(nodeName);
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Returns whether {@code id} has the syntax of a token id. */
  static boolean isValidId(String id) {
    if (id == null || id.length() != ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
