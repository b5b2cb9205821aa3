package io.oneca.core;

import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.FastVerification;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.RetiredCa;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The lineage rule: whether the active CA of an offered record continues the line of the record a
 * replica holds. It does when it is the same CA, the prepared successor the replica knew, a CA the
 * replica already trusts (its certificate or the root of its chain is in the held trust bundle),
 * one cross-signed by the held active CA, or when the offered record
 * retires the held active CA (it names it as its predecessor, as a forced rotation does). Anything
 * else is a discontinuity: a deleted and re-created record, a restore from another installation, a
 * replica pointed at the wrong key. Pure; thread-safe.
 */
final class CaLineage {
  private CaLineage() {}

  /**
   * Returns why {@code offered} does not continue {@code held}, or empty when it does.
   *
   * @param held the record the replica uses now
   * @param offered the record found in the store
   */
  static Optional<String> discontinuity(CaRecord held, CaRecord offered) {
    // Certificates compare by their encoding: cheaper than fingerprints, and as exact.
    CaMaterial next = offered.active();
    X509Certificate nextCertificate = next.certificate();
    if (nextCertificate.equals(held.active().certificate())) {
      return Optional.empty();
    }
    if (held.prepared().map(prepared -> prepared.certificate().equals(nextCertificate)).orElse(false)) {
      return Optional.empty();
    }
    X509Certificate root = next.chain().get(next.chain().size() - 1);
    for (X509Certificate trusted : held.trustBundle()) {
      if (trusted.equals(nextCertificate) || trusted.equals(root)) {
        return Optional.empty();
      }
    }
    if (offered.activeCross().isPresent() && crossSigned(offered.activeCross().get(), next, held)) {
      return Optional.empty();
    }
    for (RetiredCa retired : offered.retired()) {
      if (retired.certificate().equals(held.active().certificate())) {
        return Optional.empty();
      }
    }
    return Optional.of("CA " + next.fingerprint().sha256Hex() + " does not continue CA "
        + held.active().fingerprint().sha256Hex() + ": it is not that CA, not its prepared successor, not in its "
        + "trust bundle, not cross-signed by it, and the record does not retire it");
  }

  /**
   * Whether the lineage evidence admits {@code record}: it admits the record's active CA (every
   * prepared or forced successor is admitted before the record naming it is written, so a replica cut
   * off through whole rotation cycles still recognises its line), and does not distrust it (a forced
   * rotation distrusted it). A record is never admitted for what else it names: a record whose active
   * CA is foreign but whose bundle holds a freshly prepared, admitted CA is still refused.
   */
  static boolean admitted(io.oneca.core.internal.record.LineageEvidence evidence, CaRecord record) {
    return !evidence.distrusts(record.active().fingerprint()) && evidence.admits(record.active().fingerprint());
  }

  /** Whether {@code cross} certifies {@code next}'s key and is signed by the held active CA. */
  private static boolean crossSigned(X509Certificate cross, CaMaterial next, CaRecord held) {
    if (!Arrays.equals(cross.getPublicKey().getEncoded(), next.certificate().getPublicKey().getEncoded())) {
      return false;
    }
    // Only the held active CA vouches for a successor: a CA merely still trusted (retired, kept until
    // its leaves expire) may have been the issuer of a cross-certificate for a CA a forced rotation
    // distrusted since (simulation seed 397).
    for (X509Certificate issuer : List.of(held.active().certificate())) {
      if (!cross.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
        continue;
      }
      try {
        FastVerification.verifySignedBy(cross, issuer.getPublicKey());
        return true;
      } catch (GeneralSecurityException | RuntimeException e) {
        // Not this issuer: try the next.
      }
    }
    return false;
  }
}
