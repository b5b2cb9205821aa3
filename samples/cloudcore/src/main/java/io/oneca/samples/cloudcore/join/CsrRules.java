package io.oneca.samples.cloudcore.join;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * What an edge node may ask for when it joins, checked on its PKCS#10 CSR before OneCA sees it:
 *
 * <ul>
 *   <li>exactly one PEM block {@code CERTIFICATE REQUEST}, in DER (one encoding only)
 *       ({@link JoinError#CSR_MALFORMED});
 *   <li>the key is EC P-256 or P-384 (named curve), RSA of 2048 to 4096 bits, or Ed25519: what
 *       {@code OneCa.issue} supports, with RSA capped where verification cost stays small
 *       ({@link JoinError#CSR_KEY_NOT_ALLOWED});
 *   <li>the signature verifies with that key (proof of possession) and is ECDSA with SHA-2, RSA
 *       PKCS#1 v1.5 with SHA-2, or Ed25519 ({@link JoinError#CSR_SIGNATURE_INVALID});
 *   <li>the subject has exactly one common name ({@link JoinError#CSR_SUBJECT_INVALID}), and it is
 *       the token's node name ({@link JoinError#CSR_NODE_MISMATCH});
 *   <li>requested subject alternative names, if any, are only the DNS name of the node
 *       ({@link JoinError#CSR_NAME_NOT_ALLOWED});
 *   <li>no basicConstraints CA:true ({@link JoinError#CSR_REQUESTS_CA}), no keyCertSign or cRLSign
 *       ({@link JoinError#CSR_KEY_USAGE_NOT_ALLOWED}).
 * </ul>
 *
 * The certificate is then issued with the node name as common name and only DNS name whatever the
 * CSR says; these rules make a misbehaving or malicious client visible instead of silently fixing
 * its request. Thread-safe.
 */
public final class CsrRules {
  /** The smallest RSA modulus accepted. */
  public static final int MIN_RSA_BITS = 2048;
  /** The largest RSA modulus accepted. */
  public static final int MAX_RSA_BITS = 4096;

  /** The accepted signature algorithms: the key type each needs, and its JCA name. */
  private record SignatureKind(ASN1ObjectIdentifier keyType, String jcaKeyType, String jcaSignature) {}

  private static final Map<ASN1ObjectIdentifier, SignatureKind> SIGNATURES = Map.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, new SignatureKind(X9ObjectIdentifiers.id_ecPublicKey, "EC", "SHA256withECDSA"),
      X9ObjectIdentifiers.ecdsa_with_SHA384, new SignatureKind(X9ObjectIdentifiers.id_ecPublicKey, "EC", "SHA384withECDSA"),
      X9ObjectIdentifiers.ecdsa_with_SHA512, new SignatureKind(X9ObjectIdentifiers.id_ecPublicKey, "EC", "SHA512withECDSA"),
      PKCSObjectIdentifiers.sha256WithRSAEncryption, new SignatureKind(PKCSObjectIdentifiers.rsaEncryption, "RSA", "SHA256withRSA"),
      PKCSObjectIdentifiers.sha384WithRSAEncryption, new SignatureKind(PKCSObjectIdentifiers.rsaEncryption, "RSA", "SHA384withRSA"),
      PKCSObjectIdentifiers.sha512WithRSAEncryption, new SignatureKind(PKCSObjectIdentifiers.rsaEncryption, "RSA", "SHA512withRSA"),
      EdECObjectIdentifiers.id_Ed25519, new SignatureKind(EdECObjectIdentifiers.id_Ed25519, "Ed25519", "Ed25519"));

  /** The native provider OneCA prefers, used here only when the application installed it globally. */
  private static final String CORRETTO = "AmazonCorrettoCryptoProvider";

  private final Provider bouncyCastle = new BouncyCastleProvider();

  private CsrRules() {}

  /** Returns the rules above. */
  public static CsrRules defaults() {
    return new CsrRules();
  }

  /**
   * Checks a CSR for a node.
   *
   * @param csrPem the PEM text of the request
   * @param nodeName the node the join token admits
   * @return the request's DER encoding, for {@code CertificateRequest.fromCsr}
   * @throws JoinRejection with the {@code CSR_*} error of the first rule broken
   */
  public byte[] check(String csrPem, String nodeName) {
    return verify(csrPem, nodeName).der();
  }

  /**
   * Checks a CSR for a node and returns its verified public key as well: the signature (proof of
   * possession) has then been checked here, so the caller can have the key certified without
   * OneCA verifying the same signature a second time ({@code CertificateRequest.fromPublicKey}).
   *
   * @param csrPem the PEM text of the request
   * @param nodeName the node the join token admits
   * @return the request's DER encoding and its public key
   * @throws JoinRejection with the {@code CSR_*} error of the first rule broken
   */
  public VerifiedCsr verify(String csrPem, String nodeName) {
    Objects.requireNonNull(csrPem, "csrPem");
    NodeNames.require(nodeName);
    byte[] der = pemToDer(csrPem);
    PKCS10CertificationRequest csr = parse(der);
    checkKey(csr.getSubjectPublicKeyInfo());
    PublicKey publicKey = checkSignature(csr);
    checkSubject(csr, nodeName);
    checkExtensions(csr, nodeName);
    return new VerifiedCsr(der, publicKey);
  }

  /**
   * A CSR that passed every rule, including its signature.
   *
   * @param der the request's DER encoding
   * @param publicKey its public key, whose possession the signature proved
   */
  public record VerifiedCsr(byte[] der, PublicKey publicKey) {}

  private static byte[] pemToDer(String pem) {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject object = reader.readPemObject();
      if (object == null) {
        throw reject(JoinError.CSR_MALFORMED, "the csr field holds no PEM block");
      }
      if (!object.getType().equals("CERTIFICATE REQUEST") && !object.getType().equals("NEW CERTIFICATE REQUEST")) {
        throw reject(JoinError.CSR_MALFORMED, "the PEM block is not a CERTIFICATE REQUEST");
      }
      if (reader.readPemObject() != null) {
        throw reject(JoinError.CSR_MALFORMED, "the csr field holds more than one PEM block");
      }
      return object.getContent();
    } catch (IOException | RuntimeException e) {
      if (e instanceof JoinRejection rejection) {
        throw rejection;
      }
      throw reject(JoinError.CSR_MALFORMED, "the csr field is not valid PEM", e);
    }
  }

  private static PKCS10CertificationRequest parse(byte[] der) {
    try {
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      if (!Arrays.equals(csr.getEncoded(), der)) {
        throw reject(JoinError.CSR_MALFORMED, "the CSR is not in DER (distinguished encoding)");
      }
      return csr;
    } catch (IOException | RuntimeException e) {
      if (e instanceof JoinRejection rejection) {
        throw rejection;
      }
      throw reject(JoinError.CSR_MALFORMED, "the CSR is not a parsable PKCS#10 request", e);
    }
  }

  private static void checkKey(SubjectPublicKeyInfo spki) {
    ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
    ASN1Encodable parameters = spki.getAlgorithm().getParameters();
    if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      RSAPublicKey rsa;
      try {
        rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
      } catch (IOException | RuntimeException e) {
        throw reject(JoinError.CSR_KEY_NOT_ALLOWED, "the CSR's RSA public key is malformed", e);
      }
      int bits = rsa.getModulus().bitLength();
      BigInteger exponent = rsa.getPublicExponent();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw reject(JoinError.CSR_KEY_NOT_ALLOWED, "RSA keys must have " + MIN_RSA_BITS + " to " + MAX_RSA_BITS
            + " bits, this one has " + bits);
      }
      if (exponent.compareTo(BigInteger.ONE) <= 0 || !exponent.testBit(0)) {
        throw reject(JoinError.CSR_KEY_NOT_ALLOWED, "the CSR's RSA key has an invalid public exponent");
      }
      return;
    }
    if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (!SECObjectIdentifiers.secp256r1.equals(parameters) && !SECObjectIdentifiers.secp384r1.equals(parameters)) {
        throw reject(JoinError.CSR_KEY_NOT_ALLOWED, "EC keys must be on the named curve P-256 or P-384");
      }
      return;
    }
    if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519) && parameters == null) {
      return;
    }
    throw reject(JoinError.CSR_KEY_NOT_ALLOWED, "key algorithm " + algorithm.getId()
        + " is not accepted; use EC P-256/P-384, RSA 2048-4096 or Ed25519");
  }

  /**
   * Verifies the self-signature with one JCA {@link Signature} (BouncyCastle's verifier builder
   * would verify ECDSA and RSA signatures twice), of AmazonCorrettoCryptoProvider when the
   * application installed it as a JCA provider and it offers the algorithm, else of BouncyCastle.
   * The CSR was checked to be DER, so its re-encoded request info is the signed bytes.
   */
  private PublicKey checkSignature(PKCS10CertificationRequest csr) {
    AlgorithmIdentifier algorithm = csr.getSignatureAlgorithm();
    SignatureKind kind = SIGNATURES.get(algorithm.getAlgorithm());
    ASN1Encodable parameters = algorithm.getParameters();
    boolean rsa = kind != null && kind.jcaKeyType().equals("RSA");
    if (kind == null || !kind.keyType().equals(csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm())
        || !(parameters == null || (rsa && DERNull.INSTANCE.equals(parameters)))) {
      throw reject(JoinError.CSR_SIGNATURE_INVALID, "signature algorithm " + algorithm.getAlgorithm().getId()
          + " is not accepted for this key; use ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512, or Ed25519");
    }
    boolean valid;
    PublicKey publicKey;
    try {
      Provider provider = verifyingProvider(kind);
      Signature verifier = Signature.getInstance(kind.jcaSignature(), provider);
      publicKey = KeyFactory.getInstance(kind.jcaKeyType(), provider)
          .generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
      verifier.initVerify(publicKey);
      verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
      valid = verifier.verify(csr.getSignature());
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw reject(JoinError.CSR_SIGNATURE_INVALID, "the CSR's signature cannot be verified", e);
    }
    if (!valid) {
      throw reject(JoinError.CSR_SIGNATURE_INVALID,
          "the CSR's signature does not verify: it was not made with the private key of its public key");
    }
    return publicKey;
  }

  private Provider verifyingProvider(SignatureKind kind) {
    Provider corretto = Security.getProvider(CORRETTO);
    boolean usable = corretto != null && corretto.getService("Signature", kind.jcaSignature()) != null
        && corretto.getService("KeyFactory", kind.jcaKeyType()) != null;
    return usable ? corretto : bouncyCastle;
  }

  private static void checkSubject(PKCS10CertificationRequest csr, String nodeName) {
    String commonName = null;
    int commonNames = 0;
    for (RDN rdn : csr.getSubject().getRDNs()) {
      for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
        if (value.getType().equals(BCStyle.CN)) {
          commonNames++;
          commonName = value.getValue() instanceof ASN1String string ? string.getString() : null;
        }
      }
    }
    if (commonNames != 1 || commonName == null) {
      throw reject(JoinError.CSR_SUBJECT_INVALID, "the CSR's subject must have exactly one common name (the node name), it has "
          + commonNames + (commonNames == 1 ? " that is not a string" : ""));
    }
    if (!commonName.equals(nodeName)) {
      throw reject(JoinError.CSR_NODE_MISMATCH, "the CSR's common name is not '" + nodeName
          + "', the node this join token admits");
    }
  }

  private static void checkExtensions(PKCS10CertificationRequest csr, String nodeName) {
    Extensions extensions;
    try {
      Attribute[] attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
      if (attributes.length == 0) {
        return;
      }
      if (attributes.length > 1 || attributes[0].getAttrValues().size() != 1) {
        throw reject(JoinError.CSR_MALFORMED, "the CSR must hold at most one extensionRequest with one value");
      }
      extensions = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
    } catch (RuntimeException e) {
      if (e instanceof JoinRejection rejection) {
        throw rejection;
      }
      throw reject(JoinError.CSR_MALFORMED, "the CSR's extensionRequest is malformed", e);
    }
    checkNames(extensions, nodeName);
    try {
      BasicConstraints constraints = BasicConstraints.fromExtensions(extensions);
      if (constraints != null && constraints.isCA()) {
        throw reject(JoinError.CSR_REQUESTS_CA, "the CSR requests basicConstraints CA:true; a node gets a leaf certificate only");
      }
      KeyUsage usage = KeyUsage.fromExtensions(extensions);
      if (usage != null && (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign))) {
        throw reject(JoinError.CSR_KEY_USAGE_NOT_ALLOWED, "the CSR requests keyCertSign or cRLSign key usage; "
            + "a node certificate cannot sign certificates or CRLs");
      }
    } catch (RuntimeException e) {
      if (e instanceof JoinRejection rejection) {
        throw rejection;
      }
      throw reject(JoinError.CSR_MALFORMED, "a requested extension of the CSR is malformed", e);
    }
  }

  private static void checkNames(Extensions extensions, String nodeName) {
    GeneralNames names;
    try {
      names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
    } catch (RuntimeException e) {
      throw reject(JoinError.CSR_MALFORMED, "the CSR's subjectAltName request is malformed", e);
    }
    if (names == null) {
      return;
    }
    for (GeneralName name : names.getNames()) {
      boolean ownDnsName = name.getTagNo() == GeneralName.dNSName && name.getName() instanceof ASN1String string
          && string.getString().equals(nodeName);
      if (!ownDnsName) {
        throw reject(JoinError.CSR_NAME_NOT_ALLOWED, "the CSR requests a subject alternative name other than the DNS name '"
            + nodeName + "'; a node may only be certified for its own name");
      }
    }
  }

  private static JoinRejection reject(JoinError error, String message) {
    return new JoinRejection(error, message);
  }

  private static JoinRejection reject(JoinError error, String message, Throwable cause) {
    return new JoinRejection(error, message, cause);
  }
}
