package io.oneca.api;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a replica knows about the CA it uses, without the private key: the certificate chain, the
 * trust bundle to hand to peers, and the store version the replica adopted it at. Two replicas use
 * the same CA exactly when their {@link #fingerprint()}s are equal.
 *
 * @param storeKey the store key of the CA record
 * @param storeVersion the store version of the CA record this view was read from
 * @param fingerprint the fingerprint of the CA certificate ({@code chain.get(0)})
 * @param chain the CA certificate first, then any issuers above it (just the root for a root CA)
 * @param trustBundle the certificates peers should trust to accept leaves of this CA
 * @param keyAlgorithm the CA key's algorithm
 */
public record CaView(
    String storeKey,
    long storeVersion,
    Fingerprint fingerprint,
    List<X509Certificate> chain,
    List<X509Certificate> trustBundle,
    KeyAlgorithm keyAlgorithm) {

  /** Validates and copies the lists. */
  public CaView {
    Objects.requireNonNull(storeKey, "storeKey");
    if (storeVersion <= 0) {
      throw new IllegalArgumentException("storeVersion must be positive, was " + storeVersion);
    }
    Objects.requireNonNull(fingerprint, "fingerprint");
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    if (chain.isEmpty() || trustBundle.isEmpty()) {
      throw new IllegalArgumentException("chain and trustBundle must not be empty");
    }
  }

  /** Returns the CA certificate that signs leaves. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the start of the CA certificate's validity. */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /** Returns the end of the CA certificate's validity; no leaf outlives it. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Returns the trust bundle as PEM text, for peers' trust stores and {@code ca.crt} files. */
  public String trustBundlePem() {
    return Pem.encodeCertificates(trustBundle);
  }
}
