package io.oneca.core.internal.crypto;

import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * Generates self-signed root CAs. Thread-safe.
 *
 * <p>The certificate carries what RFC 5280 and {@code openssl verify -x509_strict} require of a CA:
 * critical basic constraints with CA:true and the path length, critical key usage keyCertSign,
 * cRLSign and digitalSignature, and subject and authority key identifiers (the same value, since
 * the CA signs itself). Its validity starts one minute before {@code now} to absorb clock skew
 * between replicas.
 */
public final class CaGenerator {
  /** How far before "now" certificates start, so that peers whose clocks lag still accept them. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  private final Provider provider;
  private final Provider signatureProvider;
  private final SecureRandom random;

  /**
   * Creates a generator.
   *
   * @param provider the JCA provider that generates keys and signs, normally
   *     {@link Providers#bouncyCastle()}
   * @param random the randomness source for keys, serials and signatures
   */
  public CaGenerator(Provider provider, SecureRandom random) {
    this(provider, provider, random);
  }

  /**
   * Creates a generator whose certificate signature is computed by another provider than the one
   * that generates keys (see {@link SigningProviders}).
   *
   * @param provider the JCA provider that generates keys, normally {@link Providers#bouncyCastle()}
   * @param signatureProvider the JCA provider that signs the certificate
   * @param random the randomness source for keys, serials and signatures
   */
  public CaGenerator(Provider provider, Provider signatureProvider, SecureRandom random) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.signatureProvider = Objects.requireNonNull(signatureProvider, "signatureProvider");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Generates a new key pair and a self-signed CA certificate for it.
   *
   * @param spec the subject, key algorithm, validity and path length
   * @param now the current time; the certificate is valid from one minute before it until
   *     {@code now + spec.validity()}
   * @return the CA, with a chain of just its certificate
   */
  public CaMaterial generate(CaSpec spec, Instant now) {
    return generate(spec, now, List.of());
  }

  /**
   * Generates a CA whose certificate carries critical name constraints: leaves it signs may hold
   * only DNS names within the permitted subtrees (RFC 5280: a subtree {@code example.com} permits
   * {@code example.com} and every name below it).
   *
   * @param spec the subject, key algorithm, validity and path length
   * @param now the current time
   * @param permittedDnsSubtrees the permitted DNS subtrees; empty for no name constraints
   * @return the CA, with a chain of just its certificate
   */
  public CaMaterial generate(CaSpec spec, Instant now, List<String> permittedDnsSubtrees) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(permittedDnsSubtrees, "permittedDnsSubtrees");
    Objects.requireNonNull(now, "now");
    KeyPair keyPair = KeyPairs.generate(spec.keyAlgorithm(), provider, random);
    X500Name subject = X500Name.getInstance(spec.subject().getEncoded());
    SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
    byte[] keyId = X509Support.keyIdentifier(publicKey);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
        subject,
        X509Support.randomSerial(random),
        X509Support.toCertificateTime(now.minus(BACKDATE)),
        X509Support.toCertificateTime(now.plus(spec.validity())),
        subject,
        publicKey);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(spec.pathLength()));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
      builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
      if (!permittedDnsSubtrees.isEmpty()) {
        builder.addExtension(Extension.nameConstraints, true, NameConstraintsSupport.permitting(permittedDnsSubtrees));
      }
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode a CA extension", e);
    }
    SigningProviders.Signing signing = SigningProviders.signing(
        signatureProvider, spec.keyAlgorithm().signatureAlgorithm(), keyPair.getPrivate());
    X509Certificate certificate = X509Support.toJdkCertificate(builder.build(X509Support.signer(
        X509Support.signerBuilder(spec.keyAlgorithm().signatureAlgorithm(), signing.provider(), random),
        signing.key())));
    return new CaMaterial(List.of(certificate), keyPair.getPrivate(), spec.keyAlgorithm());
  }
}
