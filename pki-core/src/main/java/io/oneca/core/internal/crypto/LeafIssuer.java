package io.oneca.core.internal.crypto;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.SubjectAltName;
import io.oneca.core.policy.IssuancePolicy;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Issues leaf certificates from a CA. Thread-safe; the hot path of OneCA.
 *
 * <p>What a leaf gets is fixed by policy, never by the request: CA:false, key usage
 * digitalSignature (plus keyEncipherment for RSA keys), the profile's extended key usages, the
 * requested names, and key identifiers. Every other extension a CSR asks for is ignored, so a CSR
 * can never obtain a CA certificate; a CSR that asks to be a CA is refused (see
 * {@link IssuancePolicy}), as are names, the common name included, outside the policy's allow-list or the
 * CA's name constraints. Validity starts one minute before {@code now} (but not before
 * the CA's) and ends after the requested or default lifetime, capped at the CA's expiry.
 */
public final class LeafIssuer {
  private static final int MAX_COMMON_NAME = 64;

  private final Provider provider;
  private final SecureRandom random;
  private final IssuancePolicy policy;
  /** The last CA used, with what issuance needs from it pre-computed; CAs change rarely. */
  private volatile PreparedCa prepared;

  /**
   * Creates an issuer.
   *
   * @param provider the JCA provider that verifies CSRs and signs (signatures only: BouncyCastle
   *     always builds the X.509 structures), normally {@link SigningProviders#select}'s choice
   * @param random the randomness source for serials and signatures
   */
  public LeafIssuer(Provider provider, SecureRandom random) {
    this(provider, random, IssuancePolicy.defaults());
  }

  /**
   * Creates an issuer that enforces an issuance policy.
   *
   * @param provider the JCA provider that verifies CSRs and signs
   * @param random the randomness source for serials and signatures
   * @param policy what the issuer agrees to certify
   */
  public LeafIssuer(Provider provider, SecureRandom random, IssuancePolicy policy) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.random = Objects.requireNonNull(random, "random");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /**
   * Issues a leaf certificate.
   *
   * <p>The common name is the request's, else the CSR subject's, else the first DNS name, else
   * the first URI. The names are the request's, else those the CSR requests (DNS, IP and URI only).
   *
   * @param ca the issuing CA, assumed valid (see {@link CaChecks})
   * @param caVersion the store version of the CA record, reported in the result
   * @param request what to certify
   * @param defaultTtl the lifetime when the request names none; positive
   * @param now the current time
   * @return the leaf followed by the CA chain
   * @throws InvalidRequestException naming the field if the CSR does not parse or verify, the key
   *     is not accepted, a requested name is not supported or outside the policy, no common name can
   *     be found, or the common name is outside the policy (see {@link IssuancePolicy})
   * @throws IllegalStateException if the CA is expired at {@code now}
   */
  public IssuedCertificate issue(
      CaMaterial ca, long caVersion, CertificateRequest request, Duration defaultTtl, Instant now) {
    return issue(ca, caVersion, request, defaultTtl, null, now);
  }

  /**
   * Issues a leaf certificate whose lifetime is also capped at {@code maxTtl}.
   *
   * @param maxTtl the longest lifetime any leaf gets, whatever the request says; {@code null} for no cap
   * @see #issue(CaMaterial, long, CertificateRequest, Duration, Instant)
   */
  public IssuedCertificate issue(
      CaMaterial ca, long caVersion, CertificateRequest request, Duration defaultTtl, Duration maxTtl, Instant now) {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    Objects.requireNonNull(now, "now");
    if (caVersion <= 0) {
      throw new IllegalArgumentException("caVersion must be positive, was " + caVersion);
    }
    if (defaultTtl.isNegative() || defaultTtl.isZero()) {
      throw new IllegalArgumentException("defaultTtl must be positive, was " + defaultTtl);
    }
    PreparedCa issuer = prepare(ca);
    if (now.isAfter(issuer.notAfter())) {
      throw new IllegalStateException(
          "CA " + issuer.fingerprint() + " expired at " + issuer.notAfter() + "; cannot issue at " + now);
    }

    PKCS10CertificationRequest csr = null;
    SubjectPublicKeyInfo publicKey;
    if (request.keySource() instanceof CertificateRequest.Csr encoded) {
      byte[] bytes = encoded.encoded();
      if (bytes.length > policy.maxCsrBytes()) {
        throw new InvalidRequestException("csr", "has " + bytes.length + " bytes; at most " + policy.maxCsrBytes() + " are allowed");
      }
      csr = Csrs.parse(bytes);
      CsrExtensions.check(csr, policy);
      publicKey = csr.getSubjectPublicKeyInfo();
    } else {
      publicKey = publicKeyInfo((CertificateRequest.BarePublicKey) request.keySource());
    }
    KeyPolicy.KeyShape shape = KeyPolicy.checkLeafKey(publicKey, policy);
    if (csr != null) {
      Csrs.verifySignature(csr, provider);
    }

    List<SubjectAltName> names = request.subjectAltNames();
    if (names.isEmpty() && csr != null) {
      names = Csrs.requestedNames(csr);
    }
    names = List.copyOf(new LinkedHashSet<>(names));
    policy.checkNames(names);
    NameConstraintsSupport.check(issuer.permittedDnsSubtrees(), names);
    String commonName = commonName(request.commonName(), csr, names);
    CommonNames.check(commonName, names, policy, issuer.permittedDnsSubtrees());

    Instant notBefore = max(now.minus(CaGenerator.BACKDATE), issuer.notBefore());
    Duration ttl = request.ttl().orElse(defaultTtl);
    if (maxTtl != null && ttl.compareTo(maxTtl) > 0) {
      ttl = maxTtl;
    }
    Instant notAfter = min(now.plus(ttl), issuer.notAfter());
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalStateException("CA " + issuer.fingerprint() + " is not valid until "
          + issuer.notBefore() + "; cannot issue at " + now);
    }

    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
        issuer.subject(),
        X509Support.randomSerial(random),
        X509Support.toCertificateTime(notBefore),
        X509Support.toCertificateTime(notAfter),
        subject(commonName),
        publicKey);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(
          shape.isRsa() ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(request.profile()));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, generalNames(names));
      }
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          new SubjectKeyIdentifier(X509Support.keyIdentifier(publicKey)));
      builder.addExtension(Extension.authorityKeyIdentifier, false, issuer.authorityKeyIdentifier());
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot encode a leaf extension", e);
    }
    X509Certificate leaf = X509Support.toJdkCertificate(
        builder.build(X509Support.signer(issuer.signers(), issuer.signingKey())));

    List<X509Certificate> chain = new ArrayList<>(ca.chain().size() + 1);
    chain.add(leaf);
    chain.addAll(ca.chain());
    return new IssuedCertificate(chain, issuer.fingerprint(), caVersion);
  }

  private PreparedCa prepare(CaMaterial ca) {
    PreparedCa current = prepared;
    if (current != null && current.material() == ca) {
      return current;
    }
    X509Certificate certificate = ca.certificate();
    String algorithm = ca.keyAlgorithm().signatureAlgorithm();
    SigningProviders.Signing signing = SigningProviders.signing(provider, algorithm, ca.privateKey());
    PreparedCa fresh = new PreparedCa(
        ca,
        X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
        new AuthorityKeyIdentifier(X509Support.keyIdentifierOf(certificate)),
        certificate.getNotBefore().toInstant(),
        certificate.getNotAfter().toInstant(),
        ca.fingerprint(),
        NameConstraintsSupport.permittedDnsSubtrees(certificate),
        X509Support.signerBuilder(algorithm, signing.provider(), random),
        signing.key());
    prepared = fresh;
    return fresh;
  }

  private static SubjectPublicKeyInfo publicKeyInfo(CertificateRequest.BarePublicKey key) {
    byte[] encoded = key.publicKey().getEncoded();
    if (encoded == null) {
      throw new InvalidRequestException("publicKey", "the key has no X.509 encoding");
    }
    try {
      return SubjectPublicKeyInfo.getInstance(encoded);
    } catch (RuntimeException e) {
      throw new InvalidRequestException("publicKey", "the key's X.509 encoding is malformed", e);
    }
  }

  private static String commonName(
      Optional<String> requested, PKCS10CertificationRequest csr, List<SubjectAltName> names) {
    if (requested.isPresent()) {
      return requested.get();
    }
    Optional<String> fromCsr = csr == null ? Optional.empty() : Csrs.commonName(csr);
    if (fromCsr.isPresent()) {
      return checkCommonName(fromCsr.get(), "the CSR's common name");
    }
    for (SubjectAltName name : names) {
      if (name instanceof SubjectAltName.Dns dns) {
        return checkCommonName(dns.name(), "the first DNS name");
      }
    }
    for (SubjectAltName name : names) {
      if (name instanceof SubjectAltName.Uri uri) {
        return checkCommonName(uri.uri().toString(), "the first URI");
      }
    }
    throw new InvalidRequestException(
        "commonName", "none given, and there is no CSR common name, DNS name or URI to take it from");
  }

  private static String checkCommonName(String value, String source) {
    if (value.isBlank() || value.length() > MAX_COMMON_NAME) {
      throw new InvalidRequestException("commonName", source + " must be 1 to " + MAX_COMMON_NAME
          + " characters and not blank; set commonName explicitly");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("commonName", source + " contains control characters");
    }
    return value;
  }

  /** CN only, as a UTF8String; built directly so no DN-string syntax (a leading '#') is interpreted. */
  private static X500Name subject(String commonName) {
    return new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(commonName))});
  }

  private static ExtendedKeyUsage extendedKeyUsage(CertificateProfile profile) {
    List<KeyPurposeId> purposes = new ArrayList<>(2);
    if (profile.server()) {
      purposes.add(KeyPurposeId.id_kp_serverAuth);
    }
    if (profile.client()) {
      purposes.add(KeyPurposeId.id_kp_clientAuth);
    }
    return new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0]));
  }

  private static GeneralNames generalNames(List<SubjectAltName> names) {
    GeneralName[] result = new GeneralName[names.size()];
    for (int i = 0; i < result.length; i++) {
      SubjectAltName name = names.get(i);
      if (name instanceof SubjectAltName.Dns dns) {
        result[i] = new GeneralName(GeneralName.dNSName, dns.name());
      } else if (name instanceof SubjectAltName.IpAddress ip) {
        result[i] = new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.address().getAddress()));
      } else {
        result[i] = new GeneralName(
            GeneralName.uniformResourceIdentifier, ((SubjectAltName.Uri) name).uri().toASCIIString());
      }
    }
    return new GeneralNames(result);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** What issuance needs from one CA, computed once per CA rather than per leaf. */
  private record PreparedCa(
      CaMaterial material,
      X500Name subject,
      AuthorityKeyIdentifier authorityKeyIdentifier,
      Instant notBefore,
      Instant notAfter,
      Fingerprint fingerprint,
      List<String> permittedDnsSubtrees,
      JcaContentSignerBuilder signers,
      PrivateKey signingKey) {}
}
