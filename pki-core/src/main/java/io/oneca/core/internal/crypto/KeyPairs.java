package io.oneca.core.internal.crypto;

import io.oneca.api.KeyAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Objects;

/** Generates key pairs for every {@link KeyAlgorithm}: CA keys and the keys of managed identities. */
public final class KeyPairs {
  private KeyPairs() {}

  /**
   * Generates a fresh key pair.
   *
   * @param algorithm the algorithm and size
   * @param provider the JCA provider that generates the key
   * @param random the randomness source
   * @return the key pair
   * @throws IllegalStateException if the provider cannot generate the algorithm
   */
  public static KeyPair generate(KeyAlgorithm algorithm, Provider provider, SecureRandom random) {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(random, "random");
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.jcaKeyAlgorithm(), provider);
      switch (algorithm) {
        case EC_P256 -> generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        case EC_P384 -> generator.initialize(new ECGenParameterSpec("secp384r1"), random);
        case RSA_2048, RSA_3072, RSA_4096 ->
            generator.initialize(new RSAKeyGenParameterSpec(algorithm.bits(), RSAKeyGenParameterSpec.F4), random);
        case ED25519 -> generator.initialize(255, random);
        default -> throw new IllegalStateException("no key generation for " + algorithm);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "provider " + provider.getName() + " cannot generate " + algorithm + " keys", e);
    }
  }
}
