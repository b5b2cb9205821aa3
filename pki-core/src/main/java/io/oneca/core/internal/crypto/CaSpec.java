package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import java.time.Duration;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * What a new self-signed root CA should look like.
 *
 * @param subjectDn the subject distinguished name in RFC 2253 form, for example
 *     {@code CN=OneCA Root,O=Example}; must not be empty
 * @param keyAlgorithm the CA key algorithm
 * @param validity how long the CA certificate is valid; positive
 * @param pathLength how many intermediate CAs may follow it; {@code 0} means it signs leaves only
 */
public record CaSpec(String subjectDn, KeyAlgorithm keyAlgorithm, Duration validity, int pathLength) {

  /**
   * Validates the fields.
   *
   * @throws InvalidRequestException naming the field if the DN does not parse or is empty, the
   *     validity is not positive, or the path length is negative
   */
  public CaSpec {
    Objects.requireNonNull(subjectDn, "subjectDn");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(validity, "validity");
    X500Principal principal;
    try {
      principal = new X500Principal(subjectDn);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("subjectDn", "'" + subjectDn + "' is not a distinguished name", e);
    }
    if (principal.getName().isEmpty()) {
      throw new InvalidRequestException("subjectDn", "must not be empty: a CA needs a subject");
    }
    if (validity.isNegative() || validity.isZero()) {
      throw new InvalidRequestException("validity", "must be positive, was " + validity);
    }
    if (pathLength < 0) {
      throw new InvalidRequestException("pathLength", "must be 0 or more, was " + pathLength);
    }
  }

  /** Returns the subject as a principal; always parses, the constructor checked it. */
  public X500Principal subject() {
    return new X500Principal(subjectDn);
  }
}
