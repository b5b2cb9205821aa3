package io.oneca.core.internal.record;

import io.oneca.api.Fingerprint;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A CA that no longer signs: its certificates (no key) stay in the trust bundle until
 * {@code retainUntil}, when the last leaf it can have signed has expired.
 *
 * @param chain the retired CA's certificate first, then its issuers
 * @param retiredAt when it stopped signing
 * @param retainUntil when it leaves the trust bundle
 */
public record RetiredCa(List<X509Certificate> chain, Instant retiredAt, Instant retainUntil) {

  /** Validates presence and copies the chain. */
  public RetiredCa {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain must hold at least the retired CA's certificate");
    }
    Objects.requireNonNull(retiredAt, "retiredAt");
    Objects.requireNonNull(retainUntil, "retainUntil");
  }

  /** Returns the retired CA's certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the SHA-256 fingerprint of {@link #certificate()}. */
  public Fingerprint fingerprint() {
    return Fingerprint.of(certificate());
  }
}
