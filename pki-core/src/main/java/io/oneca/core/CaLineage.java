package io.oneca.core;

import io.oneca.api.Fingerprint;
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
 * one cross-signed by the held active CA (or by a CA of the held bundle), or when the offered record
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
    CaMaterial next = offered.active();
    Fingerprint nextFingerprint = next.fingerprint();
    if (nextFingerprint.equals(held.active().fingerprint())) {
      return Optional.empty();
    }
    if (held.prepared().map(prepared -> prepared.fingerprint().equals(nextFingerprint)).orElse(false)) {
      return Optional.empty();
    }
    X509Certificate root = next.chain().get(next.chain().size() - 1);
    for (X509Certificate trusted : held.trustBundle()) {
      Fingerprint fingerprint = Fingerprint.of(trusted);
      if (fingerprint.equals(nextFingerprint) || fingerprint.equals(Fingerprint.of(root))) {
        return Optional.empty();
      }
    }
    if (offered.activeCross().isPresent() && crossSigned(offered.activeCross().get(), next, held)) {
      return Optional.empty();
    }
    for (RetiredCa retired : offered.retired()) {
      if (retired.fingerprint().equals(held.active().fingerprint())) {
        return Optional.empty();
      }
    }
    return Optional.of("CA " + nextFingerprint.sha256Hex() + " does not continue CA "
        + held.active().fingerprint().sha256Hex() + ": it is not that CA, not its prepared successor, not in its "
        + "trust bundle, not cross-signed by it, and the record does not retire it");
  }

  /** Whether {@code cross} certifies {@code next}'s key and is signed by the held active CA or a held anchor. */
  private static boolean crossSigned(X509Certificate cross, CaMaterial next, CaRecord held) {
    if (!Arrays.equals(cross.getPublicKey().getEncoded(), next.certificate().getPublicKey().getEncoded())) {
      return false;
    }
    List<X509Certificate> issuers = new java.util.ArrayList<>();
    issuers.add(held.active().certificate());
    issuers.addAll(held.trustBundle());
    for (X509Certificate issuer : issuers) {
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
