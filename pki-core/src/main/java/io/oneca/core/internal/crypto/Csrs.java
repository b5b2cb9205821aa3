package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultAlgorithmNameFinder;
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
  private static final DefaultAlgorithmNameFinder ALGORITHM_NAMES = new DefaultAlgorithmNameFinder();

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
   * The signature is checked by {@code provider} when it offers both the key type and the
   * signature algorithm (see {@link #verifyingProvider}), otherwise by BouncyCastle.
   */
  static void verifySignature(PKCS10CertificationRequest csr, Provider provider) {
    Provider verifying = verifyingProvider(csr, provider);
    boolean valid;
    try {
      ContentVerifierProvider verifiers = verifying == Providers.bouncyCastle()
          ? new JcaContentVerifierProviderBuilder().setProvider(verifying).build(csr.getSubjectPublicKeyInfo())
          // BouncyCastle would look the key factory up by OID, which other providers do not alias.
          : new JcaContentVerifierProviderBuilder().setProvider(verifying).build(publicKey(csr, verifying));
      valid = csr.isSignatureValid(verifiers);
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
   * Returns the provider that checks this CSR's signature: {@code provider} if it has a key
   * factory for the CSR's key type (EC, RSA or Ed25519) and the CSR's signature algorithm, else
   * BouncyCastle. Decided up front, never after a failure, so a provider's error is not hidden.
   */
  static Provider verifyingProvider(PKCS10CertificationRequest csr, Provider provider) {
    if (provider == Providers.bouncyCastle()) {
      return provider;
    }
    String keyType = KEY_TYPES.get(csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm());
    String signature = ALGORITHM_NAMES.getAlgorithmName(csr.getSignatureAlgorithm());
    boolean supported = keyType != null
        && provider.getService("KeyFactory", keyType) != null
        && provider.getService("Signature", signature) != null;
    return supported ? provider : Providers.bouncyCastle();
  }

  private static PublicKey publicKey(PKCS10CertificationRequest csr, Provider provider)
      throws GeneralSecurityException, IOException {
    String keyType = KEY_TYPES.get(csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm());
    return KeyFactory.getInstance(keyType, provider)
        .generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
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
