package io.oneca.core.internal.crypto;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A CA's certificate chain and private key, in memory only. Whether the parts fit together (the key
 * matches the certificate, the chain links, the certificate is a valid CA) is checked by
 * {@link CaChecks}, not here, so that a broken record can still be held and reported.
 *
 * @param chain the CA certificate first, then its issuers; just {@code [certificate]} for a root CA
 * @param privateKey the CA's private key
 * @param keyAlgorithm the algorithm of the CA key
 */
public record CaMaterial(List<X509Certificate> chain, PrivateKey privateKey, KeyAlgorithm keyAlgorithm) {

  /** Validates presence and copies the chain. */
  public CaMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain must hold at least the CA certificate");
    }
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
  }

  /** Returns the CA certificate: the one that signs leaves. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the SHA-256 fingerprint of {@link #certificate()}. Computed on each call. */
  public Fingerprint fingerprint() {
    return Fingerprint.of(certificate());
  }

  /** Names the CA by subject, fingerprint and key algorithm; never prints the private key. */
  @Override
  public String toString() {
    return "CaMaterial[subject=" + certificate().getSubjectX500Principal().getName()
        + ", fingerprint=" + fingerprint().shortForm()
        + ", keyAlgorithm=" + keyAlgorithm
        + ", chainLength=" + chain.size() + "]";
  }
}
