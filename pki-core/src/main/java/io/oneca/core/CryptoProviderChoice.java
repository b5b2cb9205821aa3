package io.oneca.core;

/**
 * Which JCA provider computes OneCA's signatures: the CA's signature on every certificate and the
 * verification of every CSR's proof of possession. BouncyCastle always builds and parses the X.509
 * structures and generates keys; only the signature arithmetic moves to the chosen provider.
 *
 * <p>Amazon Corretto Crypto Provider (ACCP, AWS-LC underneath) signs ECDSA P-256 several times
 * faster than BouncyCastle. It is an optional dependency: add
 * {@code software.amazon.cryptools:AmazonCorrettoCryptoProvider} with the classifier of your
 * platform (for example {@code linux-x86_64}) to the class or module path. OneCA finds it by
 * reflection and never registers it globally.
 */
public enum CryptoProviderChoice {
  /**
   * ACCP when its class is present and its native library loaded and passed its self-tests,
   * otherwise BouncyCastle. The default.
   */
  AUTO,
  /** Always BouncyCastle, even when ACCP is available. */
  BOUNCY_CASTLE,
  /**
   * Always ACCP; building a {@link OneCa} fails with an
   * {@link io.oneca.api.InvalidRequestException} naming the loading error when it is unavailable.
   */
  CORRETTO
}
