package io.oneca.core.tls;

import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.PemKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Writes a key and its chain in the formats other software reads: PEM (what nginx, Envoy, curl and
 * Kubernetes {@code kubernetes.io/tls} Secrets take) and PKCS#12 (what Java key stores and Windows
 * take).
 */
public final class IdentityExport {
  private IdentityExport() {}

  /** Returns the chain as concatenated PEM {@code CERTIFICATE} blocks, leaf first. */
  public static String certificatesPem(List<X509Certificate> chain) {
    return Pem.encodeCertificates(chain);
  }

  /**
   * Returns the key as an unencrypted PKCS#8 PEM {@code PRIVATE KEY} block that OpenSSL, GnuTLS,
   * Python's {@code cryptography} and Java all load (an EC key carries its public point). Handle it as
   * a secret.
   *
   * @throws IllegalArgumentException if the key has no PKCS#8 encoding
   */
  public static String privateKeyPem(PrivateKey key) {
    return PemKeys.encodePkcs8(key);
  }

  /**
   * Returns a PKCS#12 file holding the key and chain under {@code alias}, protected by
   * {@code password} (the JDK's default PKCS#12 algorithms: AES-256 and HMAC-SHA256 since Java 17).
   */
  public static byte[] pkcs12(String alias, PrivateKey key, List<X509Certificate> chain, char[] password) {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(password, "password");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key, password, chain.toArray(new X509Certificate[0]));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password);
      return out.toByteArray();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot write PKCS#12 for alias '" + alias + "': " + e.getMessage(), e);
    }
  }
}
