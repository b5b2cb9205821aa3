package io.oneca.core.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.ProviderException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;

/**
 * The provider OneCA checks signatures with outside issuance: Amazon Corretto Crypto Provider when it
 * is usable, else BouncyCastle. Both are several times faster than the JDK's own P-256 code on Java
 * 17, which dominated the CPU a replica spends adopting a new CA (checking the CA's self-signature,
 * then proving each re-issued identity's key and chain). Where the fast provider cannot take a key or
 * algorithm, the JDK's default provider selection is used instead; a signature that does not verify
 * is a failure either way, never retried.
 */
public final class FastVerification {
  private FastVerification() {}

  /** Returns ACCP when usable, else BouncyCastle. */
  public static Provider provider() {
    return SigningProviders.corretto().available().orElse(Providers.bouncyCastle());
  }

  /**
   * Verifies that {@code child} is signed by the holder of {@code issuerKey}.
   *
   * @throws GeneralSecurityException if the signature does not verify (or cannot be checked at all)
   */
  public static void verifySignedBy(X509Certificate child, PublicKey issuerKey) throws GeneralSecurityException {
    try {
      child.verify(issuerKey, provider());
    } catch (NoSuchAlgorithmException | InvalidKeyException | ProviderException e) {
      // The fast provider lacks the algorithm or cannot take this key: let the JDK choose.
      child.verify(issuerKey);
    }
  }
}
