package io.oneca.benchmarks.issuance;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Pre-generated DER PKCS#10 requests for ECDSA P-256 keys, each with a distinct key, common name
 * and DNS name, signed SHA256withECDSA: what a fleet of nodes would send to a join endpoint.
 * Generated once per benchmark trial so key generation is not measured.
 */
final class CsrPool {
  private final byte[][] csrs;
  private int next;

  private CsrPool(byte[][] csrs) {
    this.csrs = csrs;
  }

  /**
   * Generates {@code size} CSRs.
   *
   * @param size a power of two, at least 1
   * @return the pool
   */
  static CsrPool p256(int size) throws GeneralSecurityException {
    if (size < 1 || Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("size must be a positive power of two, was " + size);
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    byte[][] csrs = new byte[size][];
    for (int i = 0; i < size; i++) {
      csrs[i] = csr("node-" + i, generator.generateKeyPair());
    }
    return new CsrPool(csrs);
  }

  /** Returns the next CSR, cycling; not thread-safe (use one pool per thread or a per-thread index). */
  byte[] next() {
    byte[] csr = csrs[next];
    next = (next + 1) & (csrs.length - 1);
    return csr;
  }

  /** Returns the i-th CSR modulo the pool size. */
  byte[] get(int i) {
    return csrs[i & (csrs.length - 1)];
  }

  int size() {
    return csrs.length;
  }

  private static byte[] csr(String name, KeyPair keys) throws GeneralSecurityException {
    Objects.requireNonNull(keys, "keys");
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, name + ".nodes.example.com")));
      return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), keys.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new GeneralSecurityException("cannot build a benchmark CSR", e);
    }
  }
}
