package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Private keys as PEM text, the form operators bring their own CA keys in and records store them
 * in. Messages never contain any part of the input: it is secret.
 */
public final class PemKeys {
  static final String ENCRYPTED_MESSAGE =
      "encrypted private keys are not supported yet; decrypt with openssl pkcs8 first";

  private PemKeys() {}

  /**
   * Parses a PEM private key: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
   * SEC1 ({@code EC PRIVATE KEY}). Leading {@code EC PARAMETERS} blocks, as {@code openssl ecparam
   * -genkey} writes them, are skipped.
   *
   * @param pem the PEM text
   * @param provider the JCA provider that creates the key object
   * @return the key
   * @throws InvalidRequestException ({@code privateKey}) if the text holds no supported,
   *     unencrypted private key
   */
  public static PrivateKey parsePrivateKey(String pem, Provider provider) {
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(provider, "provider");
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      do {
        object = parser.readObject();
      } while (object instanceof X9ECParameters || object instanceof ASN1ObjectIdentifier);
    } catch (IOException | RuntimeException e) {
      // The cause is dropped on purpose: parser messages may quote the secret input.
      throw new InvalidRequestException("privateKey", "not a parsable PEM private key ("
          + e.getClass().getSimpleName() + ")");
    }
    if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
      throw new InvalidRequestException("privateKey", ENCRYPTED_MESSAGE);
    }
    PrivateKeyInfo info;
    if (object instanceof PrivateKeyInfo privateKeyInfo) {
      info = privateKeyInfo;
    } else if (object instanceof PEMKeyPair keyPair) {
      info = keyPair.getPrivateKeyInfo();
    } else {
      throw new InvalidRequestException("privateKey", object == null
          ? "no PEM block found; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"
          : "the PEM block is not a private key; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
    }
    try {
      return new JcaPEMKeyConverter().setProvider(provider).getPrivateKey(info);
    } catch (IOException | RuntimeException e) {
      throw new InvalidRequestException("privateKey", "unsupported or malformed private key (algorithm "
          + info.getPrivateKeyAlgorithm().getAlgorithm().getId() + ")");
    }
  }

  /**
   * Creates a private key object from PKCS#8 DER.
   *
   * @param der the PKCS#8 encoding; not modified
   * @param algorithm the algorithm the key must have
   * @param provider the JCA provider that creates the key object
   * @return the key
   * @throws InvalidRequestException ({@code privateKey}) if the bytes are not a PKCS#8 key of that
   *     algorithm; the message never contains any part of the input
   */
  public static PrivateKey privateKeyFromPkcs8(byte[] der, KeyAlgorithm algorithm, Provider provider) {
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(provider, "provider");
    try {
      return KeyFactory.getInstance(algorithm.jcaKeyAlgorithm(), provider)
          .generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      // The cause is dropped on purpose: it may describe the secret bytes.
      throw new InvalidRequestException("privateKey", "not a PKCS#8 " + algorithm + " private key");
    }
  }

  /**
   * Encodes a private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) that
   * OpenSSL, GnuTLS ({@code certtool -k}, {@code gnutls-cli}), Python's {@code cryptography} and Java
   * all load: an EC key always carries its public point inside the {@code ECPrivateKey} (RFC 5915's
   * optional {@code publicKey}, which GnuTLS 3.7 requires and the JDK's SunEC leaves out), computed
   * from the private scalar when the provider's encoding lacks it; an Ed25519 key is version 1
   * PKCS#8 (RFC 8410), because OpenSSL 3.0 refuses BouncyCastle's version 2 form.
   *
   * @param key the key; must support PKCS#8 encoding, as every JCA private key does
   * @return the PEM text
   * @throws IllegalArgumentException if the key has no PKCS#8 encoding, or an EC key is on a curve
   *     that is not a named curve
   */
  public static String encodePkcs8(PrivateKey key) {
    byte[] der = pkcs8WithPublicKey(key);
    try {
      return Pem.encode("PRIVATE KEY", der);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Returns the key's PKCS#8 DER as {@link #encodePkcs8} writes it (an EC key with its public
   * point, an Ed25519 key as version 1 without it). The caller should zero the array after use.
   *
   * @throws IllegalArgumentException if the key has no PKCS#8 encoding
   */
  public static byte[] pkcs8WithPublicKey(PrivateKey key) {
    Objects.requireNonNull(key, "key");
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException(
          "a " + key.getAlgorithm() + " key in format " + key.getFormat() + " cannot be written as PKCS#8");
    }
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      Arrays.fill(der, (byte) 0);
      throw new IllegalArgumentException("a " + key.getAlgorithm() + " key has a malformed PKCS#8 encoding");
    }
    if (EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
      return withoutPublicKey(info, der);
    }
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
      return der;
    }
    ECPrivateKey inner;
    X962Parameters parameters;
    try {
      inner = ECPrivateKey.getInstance(info.parsePrivateKey());
      parameters = X962Parameters.getInstance(info.getPrivateKeyAlgorithm().getParameters());
    } catch (IOException | RuntimeException e) {
      Arrays.fill(der, (byte) 0);
      // The cause is dropped on purpose: it may describe the secret bytes.
      throw new IllegalArgumentException("an EC private key has a malformed PKCS#8 encoding ("
          + e.getClass().getSimpleName() + ")");
    }
    if (inner.getPublicKey() != null) {
      return der;
    }
    Arrays.fill(der, (byte) 0);
    X9ECParameters curve = parameters.isNamedCurve()
        ? ECNamedCurveTable.getByOID((ASN1ObjectIdentifier) parameters.getParameters()) : null;
    if (curve == null) {
      throw new IllegalArgumentException("an EC key on an unnamed or unknown curve cannot be written");
    }
    BigInteger scalar = inner.getKey();
    byte[] point = new FixedPointCombMultiplier().multiply(curve.getG(), scalar).normalize().getEncoded(false);
    ECPrivateKey withPoint = new ECPrivateKey(curve.getN().bitLength(), scalar, new DERBitString(point), null);
    try {
      return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), withPoint).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an EC private key", e);
    }
  }

  /**
   * An Ed25519 key as version 1 PKCS#8 (RFC 8410: the private key only), the form the JDK and
   * OpenSSL write; OpenSSL 3.0 refuses BouncyCastle's version 2 with the public key attached.
   */
  private static byte[] withoutPublicKey(PrivateKeyInfo info, byte[] der) {
    if (info.getPublicKeyData() == null) {
      return der;
    }
    try {
      return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), info.parsePrivateKey(), info.getAttributes())
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("an Ed25519 private key has a malformed PKCS#8 encoding ("
          + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Returns the {@link KeyAlgorithm} a public key is an instance of.
   *
   * @param key the key
   * @return the algorithm
   * @throws InvalidRequestException ({@code publicKey}) if no {@link KeyAlgorithm} describes it,
   *     for example RSA-1024, P-521 or secp256k1
   */
  public static KeyAlgorithm algorithmOf(PublicKey key) {
    Objects.requireNonNull(key, "key");
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      throw new InvalidRequestException("publicKey", "the key has no X.509 encoding");
    }
    SubjectPublicKeyInfo info;
    try {
      info = SubjectPublicKeyInfo.getInstance(encoded);
    } catch (RuntimeException e) {
      throw new InvalidRequestException("publicKey", "the key's X.509 encoding is malformed", e);
    }
    return KeyPolicy.algorithmOf(info);
  }
}
