package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Reads PKCS#10 requests: parses DER or PEM, proves possession by verifying the signature, and
 * extracts the requested common name and subject alternative names. Every failure is an
 * {@link InvalidRequestException}, never a parser's own exception.
 */
final class Csrs {
  private static final String[] NAME_KINDS = {
    "otherName", "email (rfc822Name)", "DNS", "x400Address", "directoryName", "ediPartyName", "URI",
    "IP address", "registeredID"
  };

  private static final Map<ASN1ObjectIdentifier, String> KEY_TYPES = Map.of(
      X9ObjectIdentifiers.id_ecPublicKey, "EC",
      PKCSObjectIdentifiers.rsaEncryption, "RSA",
      EdECObjectIdentifiers.id_Ed25519, "Ed25519");
  /** Signature algorithms verified with one JCA Signature, by OID. */
  private static final Map<ASN1ObjectIdentifier, String> DIRECT_SIGNATURES = Map.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
      PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
      PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
      PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA",
      EdECObjectIdentifiers.id_Ed25519, "Ed25519");

  private Csrs() {}

  /** Parses a DER or PEM ({@code CERTIFICATE REQUEST} or {@code NEW CERTIFICATE REQUEST}) CSR. */
  static PKCS10CertificationRequest parse(byte[] encoded) {
    try {
      if (looksLikePem(encoded)) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(encoded, StandardCharsets.US_ASCII)))) {
          Object object = parser.readObject();
          if (object instanceof PKCS10CertificationRequest csr) {
            return csr;
          }
          throw new InvalidRequestException("csr", object == null
              ? "no PEM block found"
              : "the PEM block is not a CERTIFICATE REQUEST");
        }
      }
      return new PKCS10CertificationRequest(encoded);
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidRequestException invalid) {
        throw invalid;
      }
      throw new InvalidRequestException("csr", "not a parsable PKCS#10 request (DER or PEM)", e);
    }
  }

  /**
   * Verifies the CSR's self-signature: the requester holds the private key of the key it names.
   * Common algorithms (ECDSA, RSA PKCS#1 v1.5 with SHA-2, Ed25519) are checked directly with one
   * JCA {@link Signature} of {@code provider} when it offers them (see {@link #verifyingProvider}),
   * else of BouncyCastle; any other algorithm goes through BouncyCastle's verifier builder. (That
   * builder also runs a second, "raw" verification of every ECDSA and RSA signature for the sake of
   * PKCS#11 sessions, which doubled the cost of issuance.)
   */
  static void verifySignature(PKCS10CertificationRequest csr, Provider provider) {
    String direct = directAlgorithm(csr);
    boolean valid;
    try {
      if (direct == null) {
        valid = csr.isSignatureValid(
            new JcaContentVerifierProviderBuilder().setProvider(Providers.bouncyCastle()).build(csr.getSubjectPublicKeyInfo()));
      } else {
        Provider verifying = verifyingProvider(csr, provider);
        SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
        Signature verifier = Signature.getInstance(direct, verifying);
        verifier.initVerify(KeyFactory.getInstance(KEY_TYPES.get(key.getAlgorithm().getAlgorithm()), verifying)
            .generatePublic(new X509EncodedKeySpec(key.getEncoded())));
        verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        valid = verifier.verify(csr.getSignature());
      }
    } catch (Exception e) {
      throw new InvalidRequestException("csr", "signature cannot be verified (algorithm "
          + csr.getSignatureAlgorithm().getAlgorithm().getId() + ")", e);
    }
    if (!valid) {
      throw new InvalidRequestException(
          "csr", "signature does not verify: it was not made with the private key of the requested public key");
    }
  }

  /**
   * Returns the provider that checks this CSR's signature: {@code provider} if the algorithm is
   * one verified directly and {@code provider} has a key factory for the CSR's key type and that
   * signature, else BouncyCastle. Decided up front, never after a failure, so a provider's error is
   * not hidden.
   */
  static Provider verifyingProvider(PKCS10CertificationRequest csr, Provider provider) {
    if (provider == Providers.bouncyCastle()) {
      return provider;
    }
    String direct = directAlgorithm(csr);
    String keyType = KEY_TYPES.get(csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm());
    boolean supported = direct != null && keyType != null
        && provider.getService("KeyFactory", keyType) != null
        && provider.getService("Signature", direct) != null;
    return supported ? provider : Providers.bouncyCastle();
  }

  /** The JCA name of the CSR's signature algorithm if it is verified directly, else null. */
  private static String directAlgorithm(PKCS10CertificationRequest csr) {
    AlgorithmIdentifier algorithm = csr.getSignatureAlgorithm();
    String name = DIRECT_SIGNATURES.get(algorithm.getAlgorithm());
    ASN1Encodable parameters = algorithm.getParameters();
    boolean rsa = name != null && name.endsWith("RSA");
    // ECDSA and Ed25519 take no parameters; PKCS#1 v1.5 takes NULL (or, leniently, none).
    boolean parametersFit = parameters == null || (rsa && DERNull.INSTANCE.equals(parameters));
    return parametersFit ? name : null;
  }

  /** Returns the first common name of the CSR subject, if it has one. */
  static Optional<String> commonName(PKCS10CertificationRequest csr) {
    RDN[] rdns = csr.getSubject().getRDNs(BCStyle.CN);
    if (rdns.length == 0) {
      return Optional.empty();
    }
    ASN1Encodable value = rdns[0].getFirst().getValue();
    if (!(value instanceof ASN1String string)) {
      throw new InvalidRequestException("commonName", "the CSR's common name is not a string");
    }
    return Optional.of(string.getString());
  }

  /**
   * Returns the subject alternative names requested in the CSR's extensionRequest attribute.
   *
   * @throws InvalidRequestException ({@code subjectAltNames}) if a name is not DNS, IP or URI
   */
  static List<SubjectAltName> requestedNames(PKCS10CertificationRequest csr) {
    List<SubjectAltName> names = new ArrayList<>();
    for (GeneralName name : requestedGeneralNames(csr)) {
      names.add(toSubjectAltName(name));
    }
    return names;
  }

  private static List<GeneralName> requestedGeneralNames(PKCS10CertificationRequest csr) {
    List<GeneralName> names = new ArrayList<>();
    try {
      for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        for (ASN1Encodable value : attribute.getAttrValues()) {
          GeneralNames generalNames =
              GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
          if (generalNames != null) {
            names.addAll(List.of(generalNames.getNames()));
          }
        }
      }
    } catch (RuntimeException e) {
      throw new InvalidRequestException("csr", "malformed extensionRequest attribute", e);
    }
    return names;
  }

  private static SubjectAltName toSubjectAltName(GeneralName name) {
    try {
      switch (name.getTagNo()) {
        case GeneralName.dNSName:
          return SubjectAltName.dns(((ASN1String) name.getName()).getString());
        case GeneralName.uniformResourceIdentifier:
          return SubjectAltName.uri(((ASN1String) name.getName()).getString());
        case GeneralName.iPAddress:
          byte[] address = ASN1OctetString.getInstance(name.getName()).getOctets();
          if (address.length != 4 && address.length != 16) {
            throw new InvalidRequestException(
                "subjectAltNames", "the CSR requests an IP address of " + address.length + " bytes");
          }
          return SubjectAltName.ip(InetAddress.getByAddress(address));
        default:
          int tag = name.getTagNo();
          String kind = tag >= 0 && tag < NAME_KINDS.length ? NAME_KINDS[tag] : "tag " + tag;
          throw new InvalidRequestException(
              "subjectAltNames", "the CSR requests a name of kind " + kind + "; only DNS, IP and URI are supported");
      }
    } catch (ClassCastException | IllegalArgumentException | UnknownHostException e) {
      throw new InvalidRequestException("subjectAltNames", "the CSR holds a malformed subject alternative name", e);
    }
  }

  private static boolean looksLikePem(byte[] encoded) {
    int i = 0;
    while (i < encoded.length && Character.isWhitespace(encoded[i])) {
      i++;
    }
    byte[] marker = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);
    if (encoded.length - i < marker.length) {
      return false;
    }
    for (int j = 0; j < marker.length; j++) {
      if (encoded[i + j] != marker[j]) {
        return false;
      }
    }
    return true;
  }
}
