package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.security.NoSuchAlgorithmException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether CA material can serve as a CA: before a replica adopts a stored record, and
 * before a brought-your-own CA is stored. Reports every problem, not just the first, so that an
 * operator fixes a broken CA in one round.
 */
public final class CaChecks {
  private static final int KEY_CERT_SIGN = 5;
  private static final SecureRandom CHALLENGES = new SecureRandom();


  private CaChecks() {}

  /**
   * Lists every reason the material cannot serve as this CA at {@code now}.
   *
   * <p>Checked: the certificate is a CA (basic constraints CA:true) with the keyCertSign key usage;
   * it is valid at {@code now}; the private key matches its public key (proven by signing a random
   * challenge and verifying it with the certificate's key); each certificate of the chain is signed
   * by the next (and a self-issued last one by itself); the declared key algorithm is the
   * certificate key's.
   *
   * @param material the CA
   * @param now the time to check validity at
   * @param provider the JCA provider for the key proof
   * @return human-readable problems, each naming the certificate or key concerned; empty when valid
   */
  public static List<String> problems(CaMaterial material, Instant now, Provider provider) {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(provider, "provider");
    List<String> problems = new ArrayList<>();
    X509Certificate certificate = material.certificate();
    String name = "CA certificate '" + certificate.getSubjectX500Principal().getName() + "' ("
        + material.fingerprint().shortForm() + ")";

    if (certificate.getBasicConstraints() < 0) {
      problems.add(name + " is not a CA: its basic constraints do not say CA:true");
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage == null || keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN]) {
      problems.add(name + " lacks the keyCertSign key usage, so it may not sign certificates");
    }
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      problems.add(name + " expired at " + notAfter + " (now " + now + ")");
    }
    if (now.isBefore(notBefore)) {
      problems.add(name + " is not valid before " + notBefore + " (now " + now + ")");
    }

    KeyAlgorithm certificateAlgorithm = null;
    try {
      certificateAlgorithm = PemKeys.algorithmOf(certificate.getPublicKey());
    } catch (InvalidRequestException e) {
      problems.add(name + " has an unsupported key: " + e.getMessage());
    }
    if (certificateAlgorithm != null && certificateAlgorithm != material.keyAlgorithm()) {
      problems.add(name + " has a " + certificateAlgorithm + " key, but the key algorithm is declared as "
          + material.keyAlgorithm());
    }
    String keyProblem = keyMismatch(material.privateKey(), certificate.getPublicKey(), provider);
    if (keyProblem != null) {
      problems.add("the private key does not match " + name + ": " + keyProblem);
    }

    List<X509Certificate> chain = material.chain();
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate child = chain.get(i);
      boolean last = i == chain.size() - 1;
      if (last && !child.getIssuerX500Principal().equals(child.getSubjectX500Principal())) {
        continue;
      }
      X509Certificate parent = last ? child : chain.get(i + 1);
      String link = "chain certificate " + i + " '" + child.getSubjectX500Principal().getName() + "'";
      if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
        problems.add(link + " is issued by '" + child.getIssuerX500Principal().getName()
            + "', but the next certificate is '" + parent.getSubjectX500Principal().getName() + "'");
        continue;
      }
      try {
        FastVerification.verifySignedBy(child, parent.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        problems.add(link + (last ? " is not correctly self-signed" : " is not signed by the next certificate")
            + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return List.copyOf(problems);
  }

  /**
   * Returns why the keys do not form a pair, or {@code null} if a signature over a random challenge,
   * made with the private key and verified with the public key, proves they do.
   *
   * @param provider the JCA provider to sign and verify with, or {@code null} for the JDK's default
   *     provider selection (keys from the JDK's own providers, as live TLS uses); if the provider
   *     cannot take the key or algorithm, the JDK's default selection is used instead
   */
  public static String keyMismatch(PrivateKey privateKey, PublicKey certificateKey, Provider provider) {
    String algorithm = proofAlgorithm(certificateKey.getAlgorithm());
    if (algorithm == null) {
      return "cannot prove possession for a " + certificateKey.getAlgorithm() + " key";
    }
    byte[] challenge = new byte[32];
    CHALLENGES.nextBytes(challenge);
    try {
      PublicKey publicKey = provider == null ? certificateKey
          : KeyFactory.getInstance(certificateKey.getAlgorithm(), provider)
              .generatePublic(new X509EncodedKeySpec(certificateKey.getEncoded()));
      Signature signer = provider == null ? Signature.getInstance(algorithm)
          : Signature.getInstance(algorithm, provider);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = provider == null ? Signature.getInstance(algorithm)
          : Signature.getInstance(algorithm, provider);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature) ? null : "a challenge signed with the private key does not verify";
    } catch (InvalidKeyException | NoSuchAlgorithmException | ProviderException e) {
      if (provider != null) {
        // This provider cannot take the key or algorithm, which says nothing about the pair: let the
        // JDK's default provider selection make the proof instead.
        return keyMismatch(privateKey, certificateKey, null);
      }
      return proofFailed(e);
    } catch (GeneralSecurityException | RuntimeException e) {
      return proofFailed(e);
    }
  }

  private static String proofFailed(Exception e) {
    // Only the type: provider messages about a key may describe it.
    return "signing a challenge failed (" + e.getClass().getSimpleName() + ")";
  }

  private static String proofAlgorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
  }
}
