package io.oneca.core.internal.tls;

import java.io.ByteArrayInputStream;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.crypto.FastVerification;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks and normalises key and certificate material before it goes into a live TLS context: the
 * JDK's TLS stack gets keys and certificates from the JDK's own providers (whatever produced them),
 * a key must match its certificate, and a chain must link.
 */
public final class TlsMaterial {
  private TlsMaterial() {}

  /**
   * Re-creates a private key with the JDK's default providers from its PKCS#8 encoding.
   *
   * @throws IllegalArgumentException if the key has no PKCS#8 encoding or an unsupported algorithm
   */
  public static PrivateKey toJdkKey(PrivateKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null || !"PKCS#8".equalsIgnoreCase(key.getFormat())) {
      throw new IllegalArgumentException("the private key has no PKCS#8 encoding (format " + key.getFormat() + ")");
    }
    String algorithm = jdkAlgorithm(key.getAlgorithm());
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the JDK cannot load a " + key.getAlgorithm() + " private key", e);
    }
  }

  /** Re-creates certificates with the JDK's X.509 certificate factory. */
  public static List<X509Certificate> toJdkCertificates(Collection<X509Certificate> certificates) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> result = new ArrayList<>(certificates.size());
      for (X509Certificate certificate : certificates) {
        result.add((X509Certificate) factory.generateCertificate(
            new ByteArrayInputStream(certificate.getEncoded())));
      }
      return List.copyOf(result);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("a certificate cannot be re-encoded: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the problem that keeps a key and chain from being served together, or {@code null}.
   * Proves possession by signing a random challenge and verifying it with the leaf's public key, and
   * checks that each certificate is signed by the next one.
   */
  public static String pairProblem(PrivateKey key, List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return "the chain is empty";
    }
    X509Certificate leaf = chain.get(0);
    String mismatch = CaChecks.keyMismatch(key, leaf.getPublicKey(), FastVerification.provider());
    if (mismatch != null) {
      return "the private key does not match certificate '" + leaf.getSubjectX500Principal().getName() + "': "
          + mismatch;
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate child = chain.get(i);
      X509Certificate parent = chain.get(i + 1);
      try {
        FastVerification.verifySignedBy(child, parent.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        return "chain certificate " + i + " '" + child.getSubjectX500Principal().getName()
            + "' is not signed by the next certificate '" + parent.getSubjectX500Principal().getName() + "'";
      }
    }
    return null;
  }

  /** Returns a SHA-256 digest over the DER of every certificate and, if given, the key's encoding. */
  public static byte[] digest(List<X509Certificate> chain, PrivateKey key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (X509Certificate certificate : chain) {
        byte[] der = certificate.getEncoded();
        digest.update(intBytes(der.length));
        digest.update(der);
      }
      if (key != null) {
        byte[] encoded = key.getEncoded();
        digest.update(intBytes(encoded.length));
        digest.update(encoded);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("a certificate cannot be encoded", e);
    }
  }

  /** Maps provider-specific key algorithm names onto the JDK's. */
  public static String jdkAlgorithm(String algorithm) {
    String upper = algorithm.toUpperCase(Locale.ROOT);
    return switch (upper) {
      case "EC", "ECDSA" -> "EC";
      case "RSA" -> "RSA";
      case "ED25519", "EDDSA" -> "EdDSA";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + algorithm);
    };
  }

  private static byte[] intBytes(int value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }
}
