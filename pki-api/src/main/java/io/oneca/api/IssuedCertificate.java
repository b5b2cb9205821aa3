package io.oneca.api;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A leaf certificate OneCA issued, with the chain a TLS peer needs and the CA that signed it.
 *
 * @param chain the leaf first, then the CA certificates up to (and including) the root
 * @param caFingerprint the fingerprint of the CA that signed the leaf
 * @param caVersion the store version of the CA record the leaf was issued from
 */
public record IssuedCertificate(List<X509Certificate> chain, Fingerprint caFingerprint, long caVersion) {

  /** Validates and copies the chain. */
  public IssuedCertificate {
    chain = List.copyOf(chain);
    if (chain.size() < 2) {
      throw new IllegalArgumentException("chain must hold the leaf and its CA, was " + chain.size());
    }
    Objects.requireNonNull(caFingerprint, "caFingerprint");
    if (caVersion <= 0) {
      throw new IllegalArgumentException("caVersion must be positive, was " + caVersion);
    }
  }

  /** Returns the leaf certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the leaf's serial number: 128 random bits. */
  public BigInteger serialNumber() {
    return certificate().getSerialNumber();
  }

  /** Returns the start of the leaf's validity. */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /** Returns the end of the leaf's validity. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Returns the leaf certificate as PEM. */
  public String certificatePem() {
    return Pem.encodeCertificates(List.of(certificate()));
  }

  /** Returns the whole chain as PEM, leaf first: what a TLS server sends. */
  public String chainPem() {
    return Pem.encodeCertificates(chain);
  }
}
