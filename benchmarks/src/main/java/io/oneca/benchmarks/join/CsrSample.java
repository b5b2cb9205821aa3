package io.oneca.benchmarks.join;

import java.util.Arrays;
import java.util.Objects;

/**
 * One pre-generated certificate signing request and what a correct answer to it must contain.
 *
 * @param keyType the key type, as named in a {@link CsrMix} spec (e.g. {@code p256})
 * @param pem the PKCS#10 request, PEM-encoded ({@code CERTIFICATE REQUEST})
 * @param der the same request, DER-encoded
 * @param publicKey the requested key's SubjectPublicKeyInfo, DER-encoded: the issued certificate's key
 *     must encode to exactly these bytes
 * @param dnsName the DNS name the request asks for (also its subjectAltName and, as node name, CN)
 */
public record CsrSample(String keyType, String pem, byte[] der, byte[] publicKey, String dnsName) {

  /** Validates and defensively copies the arrays. */
  public CsrSample {
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(dnsName, "dnsName");
    der = der.clone();
    publicKey = publicKey.clone();
  }

  /** Returns the DER request (a copy). */
  @Override
  public byte[] der() {
    return der.clone();
  }

  /** Returns the DER SubjectPublicKeyInfo (a copy). */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Returns whether {@code encodedKey} is this request's public key, without copying. */
  public boolean hasPublicKey(byte[] encodedKey) {
    return Arrays.equals(publicKey, encodedKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CsrSample other && keyType.equals(other.keyType) && Arrays.equals(der, other.der);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(der);
  }

  @Override
  public String toString() {
    return "CsrSample[" + keyType + ", " + dnsName + "]";
  }
}
