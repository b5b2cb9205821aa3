package io.oneca.spring;

import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.tls.TlsContexts;
import io.oneca.core.tls.TlsDefaults;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * A Spring {@link SslBundle} that carries a {@link ManagedIdentity}. It offers the identity both
 * ways Spring's TLS integrations consume bundles:
 *
 * <ul>
 *   <li>{@link #getManagers()} and {@link #createSslContext()}: OneCA's reloading key and trust
 *       managers, which always present the current certificate (Reactor Netty, {@code RestClient},
 *       {@code WebClient}); {@link #createSslContext()} also refuses to resume sessions from
 *       before a change, see {@link TlsContexts}.
 *   <li>{@link #getStores()}: in-memory key and trust stores holding one snapshot, because Tomcat
 *       and Jetty build their own {@code SSLContext} from stores. {@link OneCaSslBundleRegistrar}
 *       publishes a new bundle at every renewal, and the web server reloads its TLS configuration.
 * </ul>
 *
 * {@link #getOptions()} is {@link TlsDefaults} (TLS 1.3 and 1.2, ECDHE with AEAD suites), which the
 * web servers apply. The in-memory stores are protected by a random password that exists only in this process.
 */
final class OneCaSslBundle implements SslBundle {
  static final String ALIAS = "oneca";
  /** {@link TlsDefaults}, for servers (Tomcat, Jetty, Reactor Netty) that apply the bundle's options. */
  private static final SslOptions OPTIONS = SslOptions.of(
      TlsDefaults.CIPHER_SUITES.toArray(new String[0]), TlsDefaults.PROTOCOLS.toArray(new String[0]));

  private final ManagedIdentity identity;
  private final SslStoreBundle stores;
  private final SslBundleKey key;
  private final SslManagerBundle managers;

  private OneCaSslBundle(ManagedIdentity identity, IdentitySnapshot snapshot, List<X509Certificate> anchors) {
    this.identity = identity;
    String password = randomPassword();
    this.stores = SslStoreBundle.of(keyStore(snapshot, password), password, trustStore(anchors));
    this.key = SslBundleKey.of(password, ALIAS);
    this.managers = SslManagerBundle.of(TlsContexts.keyManagerFactory(identity.keyManager()),
        TlsContexts.trustManagerFactory(identity.trustManager()));
  }

  /** Returns a bundle for the identity's current certificate and the anchors its trust manager holds. */
  static OneCaSslBundle of(ManagedIdentity identity) {
    return new OneCaSslBundle(identity, identity.current(), identity.trustManager().anchors());
  }

  /**
   * Returns a bundle for the given certificate and trust anchors (from the renewal and CA-change
   * listeners: a prepared successor CA changes the anchors but not the certificate).
   */
  static OneCaSslBundle of(ManagedIdentity identity, IdentitySnapshot snapshot, List<X509Certificate> anchors) {
    return new OneCaSslBundle(identity, snapshot, anchors);
  }

  @Override
  public SslStoreBundle getStores() {
    return stores;
  }

  @Override
  public SslBundleKey getKey() {
    return key;
  }

  @Override
  public SslOptions getOptions() {
    return OPTIONS;
  }

  @Override
  public String getProtocol() {
    return SslBundle.DEFAULT_PROTOCOL;
  }

  @Override
  public SslManagerBundle getManagers() {
    return managers;
  }

  @Override
  public SSLContext createSslContext() {
    return identity.sslContext();
  }

  @Override
  public String toString() {
    return "OneCaSslBundle[" + identity.spec().name() + "]";
  }

  private static KeyStore keyStore(IdentitySnapshot snapshot, String password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, snapshot.privateKey(), password.toCharArray(),
          snapshot.chain().toArray(new X509Certificate[0]));
      return store;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot hold identity " + snapshot + " in a key store: " + e.getMessage(), e);
    }
  }

  private static KeyStore trustStore(List<X509Certificate> anchors) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int index = 0;
      for (X509Certificate anchor : anchors) {
        store.setCertificateEntry("oneca-ca-" + index++, anchor);
      }
      return store;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot hold the CA trust bundle in a trust store: " + e.getMessage(), e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
