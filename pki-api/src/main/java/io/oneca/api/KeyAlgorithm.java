package io.oneca.api;

/**
 * Key types OneCA generates and accepts. ECDSA P-256 is the default everywhere: small keys, fast
 * handshakes, accepted by every TLS stack in use.
 */
public enum KeyAlgorithm {
  /** ECDSA on NIST P-256 (secp256r1), signed with SHA-256. The default. */
  EC_P256("EC", 256, "SHA256withECDSA"),
  /** ECDSA on NIST P-384 (secp384r1), signed with SHA-384. */
  EC_P384("EC", 384, "SHA384withECDSA"),
  /** RSA with a 2048-bit modulus, signed with SHA-256. The smallest RSA size OneCA accepts. */
  RSA_2048("RSA", 2048, "SHA256withRSA"),
  /** RSA with a 3072-bit modulus, signed with SHA-256. */
  RSA_3072("RSA", 3072, "SHA256withRSA"),
  /** RSA with a 4096-bit modulus, signed with SHA-256. */
  RSA_4096("RSA", 4096, "SHA256withRSA"),
  /** Ed25519 (RFC 8410). Not accepted by every TLS peer for certificates; check yours first. */
  ED25519("Ed25519", 255, "Ed25519");

  private final String jcaKeyAlgorithm;
  private final int bits;
  private final String signatureAlgorithm;

  KeyAlgorithm(String jcaKeyAlgorithm, int bits, String signatureAlgorithm) {
    this.jcaKeyAlgorithm = jcaKeyAlgorithm;
    this.bits = bits;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** Returns the JCA key algorithm name: {@code EC}, {@code RSA} or {@code Ed25519}. */
  public String jcaKeyAlgorithm() {
    return jcaKeyAlgorithm;
  }

  /** Returns the key size in bits (the curve size for EC, 255 for Ed25519). */
  public int bits() {
    return bits;
  }

  /** Returns the JCA name of the signature algorithm a CA of this key type signs with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }
}
