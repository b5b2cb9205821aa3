package io.oneca.core.internal.crypto;

import io.oneca.api.KeyAlgorithm;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Generates self-signed root CAs, intermediates signed by another CA, and cross-certificates.
 * Thread-safe.
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
    X509Certificate certificate = certify(subject, publicKey, subject, keyPair.getPrivate(), spec.keyAlgorithm(),
        X509Support.keyIdentifier(publicKey), now.minus(BACKDATE), now.plus(spec.validity()), spec.pathLength(),
        permittedDnsSubtrees);
    return new CaMaterial(List.of(certificate), keyPair.getPrivate(), spec.keyAlgorithm());
  }

  /**
   * Generates a new key pair and an intermediate CA certificate for it, signed by {@code issuer}
   * (for example an offline root). Its validity ends at the issuer's at the latest.
   *
   * @param spec the subject, key algorithm, validity and path length of the intermediate
   * @param issuer the CA that signs it, with its key
   * @param now the current time
   * @param permittedDnsSubtrees the permitted DNS subtrees; empty for no name constraints
   * @return the intermediate, with a chain of its certificate followed by the issuer's chain
   * @throws IllegalArgumentException if the issuer has expired
   */
  public CaMaterial generateIntermediate(CaSpec spec, CaMaterial issuer, Instant now, List<String> permittedDnsSubtrees) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(now, "now");
    Instant issuerEnd = issuer.certificate().getNotAfter().toInstant();
    if (!issuerEnd.isAfter(now)) {
      throw new IllegalArgumentException("issuer " + issuer.fingerprint().shortForm() + " expired at " + issuerEnd);
    }
    KeyPair keyPair = KeyPairs.generate(spec.keyAlgorithm(), provider, random);
    SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
    Instant notAfter = now.plus(spec.validity()).isAfter(issuerEnd) ? issuerEnd : now.plus(spec.validity());
    X509Certificate certificate = certify(X500Name.getInstance(spec.subject().getEncoded()), publicKey,
        X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), issuer.privateKey(),
        issuer.keyAlgorithm(), X509Support.keyIdentifierOf(issuer.certificate()), now.minus(BACKDATE), notAfter,
        spec.pathLength(), permittedDnsSubtrees);
    List<X509Certificate> chain = new ArrayList<>(issuer.chain().size() + 1);
    chain.add(certificate);
    chain.addAll(issuer.chain());
    return new CaMaterial(chain, keyPair.getPrivate(), spec.keyAlgorithm());
  }

  /**
   * Cross-certifies a CA: a certificate with {@code subjectCa}'s subject, key, key identifier and
   * constraints, signed by {@code issuer}, so that clients which trust only the issuer accept leaves
   * of {@code subjectCa}. Valid from now until the earlier of both CAs' ends.
   *
   * @param subjectCa the CA certificate to cross-certify
   * @param issuer the CA that signs the cross-certificate, with its key
   * @param now the current time
   * @return the cross-certificate
   */
  public X509Certificate crossCertify(X509Certificate subjectCa, CaMaterial issuer, Instant now) {
    Objects.requireNonNull(subjectCa, "subjectCa");
    Objects.requireNonNull(issuer, "issuer");
    Instant notAfter = earlier(subjectCa.getNotAfter().toInstant(), issuer.certificate().getNotAfter().toInstant());
    SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(subjectCa.getPublicKey().getEncoded());
    List<String> constraints = NameConstraintsSupport.permittedDnsSubtrees(subjectCa);
    return certify(X500Name.getInstance(subjectCa.getSubjectX500Principal().getEncoded()), publicKey,
        X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), issuer.privateKey(),
        issuer.keyAlgorithm(), X509Support.keyIdentifierOf(issuer.certificate()), now.minus(BACKDATE), notAfter,
        Math.max(subjectCa.getBasicConstraints(), 0), constraints);
  }

  private X509Certificate certify(X500Name subject, SubjectPublicKeyInfo publicKey, X500Name issuer,
      PrivateKey issuerKey, KeyAlgorithm issuerAlgorithm, byte[] authorityKeyId, Instant notBefore, Instant notAfter,
      int pathLength, List<String> permittedDnsSubtrees) {
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
        issuer,
        X509Support.randomSerial(random),
        X509Support.toCertificateTime(notBefore),
        X509Support.toCertificateTime(notAfter),
        subject,
        publicKey);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          new SubjectKeyIdentifier(X509Support.keyIdentifier(publicKey)));
      builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId));
      if (!permittedDnsSubtrees.isEmpty()) {
        builder.addExtension(Extension.nameConstraints, true, NameConstraintsSupport.permitting(permittedDnsSubtrees));
      }
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode a CA extension", e);
    }
    SigningProviders.Signing signing = SigningProviders.signing(
        signatureProvider, issuerAlgorithm.signatureAlgorithm(), issuerKey);
    return X509Support.toJdkCertificate(builder.build(X509Support.signer(
        X509Support.signerBuilder(issuerAlgorithm.signatureAlgorithm(), signing.provider(), random),
        signing.key())));
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
