package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.policy.IssuancePolicy;
import java.math.BigInteger;
import java.util.TreeSet;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Which public keys OneCA certifies, decided on the encoded key alone (no KeyFactory, so it is cheap
 * on the issuance path): RSA of 2048 to 16384 bits, ECDSA on P-256 or P-384 by named curve, and
 * Ed25519. Every rejection names the field {@code publicKey}.
 */
final class KeyPolicy {
  /** RSA keys above this size cost seconds to verify and serve no one; refuse them as abuse. */
  static final int MAX_RSA_BITS = 16384;

  private KeyPolicy() {}

  /** A key's family and size, as far as the policy is concerned. */
  record KeyShape(String family, int bits) {
    boolean isRsa() {
      return family.equals("RSA");
    }
  }

  /**
   * Checks a key that is to be certified in a leaf.
   *
   * @param spki the encoded public key
   * @return its shape
   * @throws InvalidRequestException ({@code publicKey}) if the policy does not accept the key
   */
  static KeyShape checkLeafKey(SubjectPublicKeyInfo spki) {
    KeyShape shape = shapeOf(spki);
    if (shape.isRsa() && (shape.bits() < 2048 || shape.bits() > MAX_RSA_BITS)) {
      throw new InvalidRequestException(
          "publicKey", "RSA keys must have 2048 to " + MAX_RSA_BITS + " bits, got " + shape.bits());
    }
    return shape;
  }

  /**
   * Checks a key that is to be certified in a leaf against the fixed rules and an issuance policy.
   *
   * @param spki the encoded public key
   * @param policy the issuance policy
   * @return its shape
   * @throws InvalidRequestException ({@code publicKey}) if the key is not accepted
   */
  static KeyShape checkLeafKey(SubjectPublicKeyInfo spki, IssuancePolicy policy) {
    KeyShape shape = checkLeafKey(spki);
    switch (shape.family()) {
      case "RSA":
        if (!policy.rsaAllowed()) {
          throw new InvalidRequestException("publicKey", "RSA keys are not accepted by the issuance policy");
        }
        if (shape.bits() < policy.minimumRsaBits()) {
          throw new InvalidRequestException("publicKey", "RSA keys must have at least " + policy.minimumRsaBits()
              + " bits, got " + shape.bits());
        }
        break;
      case "EC":
        String curve = shape.bits() == 256 ? "P-256" : "P-384";
        if (!policy.ecCurves().contains(curve)) {
          throw new InvalidRequestException("publicKey", "EC curve " + curve + " is not accepted by the issuance policy"
              + " (allowed: " + new TreeSet<>(policy.ecCurves()) + ")");
        }
        break;
      default:
        if (!policy.ed25519Allowed()) {
          throw new InvalidRequestException("publicKey", "Ed25519 keys are not accepted by the issuance policy");
        }
    }
    return shape;
  }

  /**
   * Maps a key to the one {@link KeyAlgorithm} it is an instance of.
   *
   * @param spki the encoded public key
   * @return the algorithm
   * @throws InvalidRequestException ({@code publicKey}) if no {@link KeyAlgorithm} describes the key
   */
  static KeyAlgorithm algorithmOf(SubjectPublicKeyInfo spki) {
    KeyShape shape = shapeOf(spki);
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      if (algorithm.jcaKeyAlgorithm().equals(shape.family()) && algorithm.bits() == shape.bits()) {
        return algorithm;
      }
    }
    throw new InvalidRequestException(
        "publicKey", shape.family() + " keys of " + shape.bits() + " bits are not supported; RSA keys must have 2048, 3072 or 4096 bits");
  }

  private static KeyShape shapeOf(SubjectPublicKeyInfo spki) {
    ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
    ASN1Encodable parameters = spki.getAlgorithm().getParameters();
    if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      RSAPublicKey rsa;
      try {
        rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
      } catch (Exception e) {
        throw new InvalidRequestException("publicKey", "malformed RSA public key", e);
      }
      BigInteger exponent = rsa.getPublicExponent();
      if (exponent.compareTo(BigInteger.ONE) <= 0 || !exponent.testBit(0) || rsa.getModulus().signum() <= 0) {
        throw new InvalidRequestException("publicKey", "RSA public key has an invalid modulus or exponent");
      }
      return new KeyShape("RSA", rsa.getModulus().bitLength());
    }
    if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
        throw new InvalidRequestException("publicKey", "EC keys must name their curve (P-256 or P-384), not spell out parameters");
      }
      if (curve.equals(SECObjectIdentifiers.secp256r1)) {
        return new KeyShape("EC", 256);
      }
      if (curve.equals(SECObjectIdentifiers.secp384r1)) {
        return new KeyShape("EC", 384);
      }
      String name = ECNamedCurveTable.getName(curve);
      throw new InvalidRequestException(
          "publicKey", "EC curve " + (name == null ? curve.getId() : name) + " is not accepted; use P-256 or P-384");
    }
    if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
      if (parameters != null) {
        throw new InvalidRequestException("publicKey", "Ed25519 keys must not carry parameters");
      }
      return new KeyShape("Ed25519", 255);
    }
    throw new InvalidRequestException(
        "publicKey", "key algorithm " + algorithm.getId() + " is not accepted; use EC P-256/P-384, RSA or Ed25519");
  }
}
