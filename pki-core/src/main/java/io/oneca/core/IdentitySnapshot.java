package io.oneca.core;

import io.oneca.api.Fingerprint;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One issued state of a {@link ManagedIdentity}: its key, chain and the CA that signed it.
 *
 * @param chain the leaf first, then the CA chain
 * @param privateKey the leaf's private key; never printed
 * @param trustBundle the CA certificates peers of this identity are trusted by, from the CA record at
 *     {@code caVersion}
 * @param caFingerprint the signing CA
 * @param caVersion the store version of the CA record the certificate was issued from, or, after a
 *     trust-only CA change (a CA prepared or pruned, same signing CA), the version the bundle is from
 * @param generation 1 for the first issuance, then one more per renewal and per trust-only CA change
 */
public record IdentitySnapshot(
    List<X509Certificate> chain,
    PrivateKey privateKey,
    List<X509Certificate> trustBundle,
    Fingerprint caFingerprint,
    long caVersion,
    long generation) {

  /** Validates presence and copies the lists. */
  public IdentitySnapshot {
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caFingerprint, "caFingerprint");
  }

  /** Returns the leaf certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the leaf's fingerprint. */
  public Fingerprint fingerprint() {
    return Fingerprint.of(certificate());
  }

  /** Returns when the leaf stops being valid. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Names the leaf without its key. */
  @Override
  public String toString() {
    return "IdentitySnapshot[subject=" + certificate().getSubjectX500Principal().getName() + ", fingerprint="
        + fingerprint().shortForm() + ", notAfter=" + notAfter() + ", ca=" + caFingerprint.shortForm()
        + ", generation=" + generation + "]";
  }
}
