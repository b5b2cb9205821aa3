package io.oneca.spring;

import io.oneca.core.ManagedIdentity;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;

/**
 * Registers the {@link ManagedIdentity} as an SSL bundle (named {@code oneca} by default) and
 * publishes a new bundle at every renewal, so that {@code server.ssl.bundle=oneca} makes the
 * embedded web server serve OneCA's identity and pick up renewals without a restart: Spring Boot
 * reloads the web server's TLS configuration when a bundle is updated, and new handshakes then
 * present the new certificate.
 */
public final class OneCaSslBundleRegistrar implements SslBundleRegistrar, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OneCaSslBundleRegistrar.class);

  private final ManagedIdentity identity;
  private final String bundleName;
  private AutoCloseable renewalListener;

  /**
   * Creates the registrar.
   *
   * @param identity the identity to serve
   * @param bundleName the bundle's name, as used in {@code server.ssl.bundle}
   */
  public OneCaSslBundleRegistrar(ManagedIdentity identity, String bundleName) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.bundleName = Objects.requireNonNull(bundleName, "bundleName");
  }

  @Override
  public synchronized void registerBundles(SslBundleRegistry registry) {
    registry.registerBundle(bundleName, OneCaSslBundle.of(identity));
    if (renewalListener == null) {
      renewalListener = identity.onRenewal(snapshot -> {
        registry.updateBundle(bundleName, OneCaSslBundle.of(identity, snapshot));
        LOG.info("SSL bundle '{}' now holds {}", bundleName, snapshot);
      });
    }
  }

  /** Stops publishing renewals. */
  @Override
  public synchronized void close() {
    if (renewalListener != null) {
      try {
        renewalListener.close();
      } catch (Exception e) {
        LOG.debug("Removing the renewal listener of SSL bundle '{}' failed", bundleName, e);
      }
      renewalListener = null;
    }
  }
}
