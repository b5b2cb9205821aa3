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
import java.time.Duration;
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
    List<String> problems = new ArrayList<>(structuralProblems(material, provider));
    problems.addAll(validityProblems(material, now, Duration.ZERO));
    return List.copyOf(problems);
  }

  /**
   * Lists the reasons the material cannot serve as a CA at {@code now}, if this replica's clock may be
   * up to {@code notBeforeTolerance} behind the clock that made the CA: expired, or not valid yet by
   * more than the tolerance. Cheap; callers run it on every use, unlike {@link #structuralProblems},
   * whose result does not change with time.
   *
   * @param material the CA
   * @param now the time to check validity at
   * @param notBeforeTolerance how far {@code now} may lie before the certificate's notBefore
   * @return problems; one that names {@code clock skew} when only the notBefore check failed
   */
  public static List<String> validityProblems(CaMaterial material, Instant now, Duration notBeforeTolerance) {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(notBeforeTolerance, "notBeforeTolerance");
    X509Certificate certificate = material.certificate();
    String name = name(material);
    List<String> problems = new ArrayList<>();
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      problems.add(name + " expired at " + notAfter + " (now " + now + ")");
    }
    if (now.plus(notBeforeTolerance).isBefore(notBefore)) {
      problems.add(name + " is not valid before " + notBefore + " (now " + now + "): clock skew of "
          + Duration.between(now, notBefore).toSeconds() + " s, more than the tolerated "
          + notBeforeTolerance.toSeconds() + " s; is this replica's clock behind?");
    }
    return List.copyOf(problems);
  }

  /** Whether {@code material} is not valid yet at {@code now} by more than {@code tolerance}. */
  public static boolean notYetValid(CaMaterial material, Instant now, Duration tolerance) {
    return now.plus(tolerance).isBefore(material.certificate().getNotBefore().toInstant());
  }

  /**
   * Lists every reason the material cannot serve as a CA that does not depend on time: CA flag, key
   * usage, key algorithm, key pair, chain signatures.
   *
   * @param material the CA
   * @param provider the JCA provider for the key proof
   * @return problems, each naming the certificate or key concerned; empty when valid
   */
  public static List<String> structuralProblems(CaMaterial material, Provider provider) {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(provider, "provider");
    List<String> problems = new ArrayList<>();
    X509Certificate certificate = material.certificate();
    String name = name(material);

    if (certificate.getBasicConstraints() < 0) {
      problems.add(name + " is not a CA: its basic constraints do not say CA:true");
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage == null || keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN]) {
      problems.add(name + " lacks the keyCertSign key usage, so it may not sign certificates");
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

  private static String name(CaMaterial material) {
    return "CA certificate '" + material.certificate().getSubjectX500Principal().getName() + "' ("
        + material.fingerprint().shortForm() + ")";
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
