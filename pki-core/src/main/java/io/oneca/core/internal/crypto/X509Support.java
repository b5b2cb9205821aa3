package io.oneca.core.internal.crypto;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Small X.509 building blocks shared by CA generation and leaf issuance. */
final class X509Support {
  /**
   * The JDK's own X.509 factory ("SUN"), so that certificates are plain JDK objects even when an
   * application installed another provider first. Its generateCertificate keeps no per-instance
   * state, so one instance serves all threads.
   */
  private static final CertificateFactory JDK_FACTORY = jdkFactory();

  private X509Support() {}

  /** Returns 128 random bits as a positive, non-zero serial number. */
  static BigInteger randomSerial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(128, random);
    } while (serial.signum() == 0);
    return serial;
  }

  /** Returns the instant without its fraction of a second: X.509 times have second precision. */
  static Date toCertificateTime(Instant instant) {
    return Date.from(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Returns the RFC 5280 (method 1) key identifier: SHA-1 of the subjectPublicKey bits. */
  static byte[] keyIdentifier(SubjectPublicKeyInfo spki) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(spki.getPublicKeyData().getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-1", e);
    }
  }

  /** Returns a certificate's subject key identifier, or computes one from its key if it has none. */
  static byte[] keyIdentifierOf(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (extension != null) {
      try {
        return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(extension).getOctets())
            .getKeyIdentifier();
      } catch (RuntimeException e) {
        // Malformed extension: fall back to the computed identifier below.
      }
    }
    return keyIdentifier(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()));
  }

  /** Returns a reusable builder of signers for one algorithm and provider. */
  static JcaContentSignerBuilder signerBuilder(String signatureAlgorithm, Provider provider, SecureRandom random) {
    return new JcaContentSignerBuilder(signatureAlgorithm).setProvider(provider).setSecureRandom(random);
  }

  /** Creates a signer; a key that does not fit the algorithm is a programming or validation error. */
  static ContentSigner signer(JcaContentSignerBuilder builder, PrivateKey key) {
    try {
      return builder.build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with the CA key: " + e.getClass().getSimpleName(), e);
    }
  }

  /** Converts a BouncyCastle certificate to a JDK {@link X509Certificate}. */
  static X509Certificate toJdkCertificate(X509CertificateHolder holder) {
    try {
      return (X509Certificate) JDK_FACTORY.generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    } catch (CertificateException | java.io.IOException e) {
      throw new IllegalStateException("the JDK cannot read a certificate OneCA built", e);
    }
  }

  private static CertificateFactory jdkFactory() {
    try {
      return CertificateFactory.getInstance("X.509", "SUN");
    } catch (CertificateException | NoSuchProviderException e) {
      try {
        return CertificateFactory.getInstance("X.509");
      } catch (CertificateException e2) {
        throw new IllegalStateException("no X.509 CertificateFactory", e2);
      }
    }
  }
}
