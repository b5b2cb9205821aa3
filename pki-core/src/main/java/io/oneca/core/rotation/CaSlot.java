package io.oneca.core.rotation;

import io.oneca.api.Fingerprint;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One CA of the record, without its key: what operators and tools need to see about it.
 *
 * @param role whether it signs now, is prepared, or is retired
 * @param fingerprint the SHA-256 fingerprint of its certificate
 * @param chain its certificate first, then its issuers
 * @param since when it was prepared (prepared) or retired (retired); empty for the active CA
 * @param retainUntil when a retired CA leaves the trust bundle; empty otherwise
 * @param crossCertificate its certificate cross-signed by the CA before it, if cross-signing is on
 */
public record CaSlot(
    Role role,
    Fingerprint fingerprint,
    List<X509Certificate> chain,
    Optional<Instant> since,
    Optional<Instant> retainUntil,
    Optional<X509Certificate> crossCertificate) {

  /** Validates and copies. */
  public CaSlot {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(fingerprint, "fingerprint");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain must not be empty");
    }
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(retainUntil, "retainUntil");
    Objects.requireNonNull(crossCertificate, "crossCertificate");
  }

  /** Returns the CA certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the subject of the CA certificate in RFC 2253 form. */
  public String subject() {
    return certificate().getSubjectX500Principal().getName();
  }

  /** Returns the end of the CA certificate's validity. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Returns the start of the CA certificate's validity. */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /** What a slot is for. */
  public enum Role {
    /** Signs leaves now. */
    ACTIVE,
    /** The next CA: trusted by peers, signs nothing yet. */
    PREPARED,
    /** A previous CA: signs nothing, trusted until its last leaf expired. */
    RETIRED
  }
}
