package io.oneca.spring;

import io.oneca.api.CaView;
import io.oneca.api.Fingerprint;
import io.oneca.core.IdentitySnapshot;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;

/**
 * Registers the {@link ManagedIdentity} as an SSL bundle (named {@code oneca} by default) and
 * publishes a new bundle at every renewal and at every change of the trust bundle, so that
 * {@code server.ssl.bundle=oneca} makes the embedded web server serve OneCA's identity and pick up
 * changes without a restart: Spring Boot reloads the web server's TLS configuration when a bundle
 * is updated, and new handshakes then present the new certificate and trust the new anchors. The
 * trust-only update matters for mutual TLS during a CA rotation: a prepared successor must be
 * trusted before any replica activates it, and the identity's certificate does not change then.
 */
public final class OneCaSslBundleRegistrar implements SslBundleRegistrar, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OneCaSslBundleRegistrar.class);

  private final OneCa oneCa;
  private final ManagedIdentity identity;
  private final String bundleName;
  private SslBundleRegistry registry;
  private IdentitySnapshot published;
  private Set<Fingerprint> publishedAnchors;
  private AutoCloseable renewalListener;
  private AutoCloseable caListener;

  /**
   * Creates the registrar.
   *
   * @param oneCa the OneCa the identity belongs to, whose CA changes update the trust anchors
   * @param identity the identity to serve
   * @param bundleName the bundle's name, as used in {@code server.ssl.bundle}
   */
  public OneCaSslBundleRegistrar(OneCa oneCa, ManagedIdentity identity, String bundleName) {
    this.oneCa = Objects.requireNonNull(oneCa, "oneCa");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.bundleName = Objects.requireNonNull(bundleName, "bundleName");
  }

  @Override
  public synchronized void registerBundles(SslBundleRegistry registry) {
    List<X509Certificate> anchors = identity.trustManager().anchors();
    registry.registerBundle(bundleName, OneCaSslBundle.of(identity, identity.current(), anchors));
    if (this.registry == null) {
      this.registry = registry;
      published = identity.current();
      publishedAnchors = fingerprints(anchors);
      renewalListener = identity.onRenewal(this::onRenewal);
      caListener = oneCa.onCaChange(this::onCaChange);
    }
  }

  private synchronized void onRenewal(IdentitySnapshot snapshot) {
    publish(snapshot, identity.trustManager().anchors());
  }

  private synchronized void onCaChange(CaView ca) {
    if (!fingerprints(ca.trustBundle()).equals(publishedAnchors)) {
      publish(identity.current(), ca.trustBundle());
    }
  }

  private void publish(IdentitySnapshot snapshot, List<X509Certificate> anchors) {
    if (registry == null) {
      return;
    }
    registry.updateBundle(bundleName, OneCaSslBundle.of(identity, snapshot, anchors));
    published = snapshot;
    publishedAnchors = fingerprints(anchors);
    LOG.info("SSL bundle '{}' now holds {} and trusts {} CA certificate(s)", bundleName, published, anchors.size());
  }

  private static Set<Fingerprint> fingerprints(List<X509Certificate> certificates) {
    return certificates.stream().map(Fingerprint::of).collect(Collectors.toUnmodifiableSet());
  }

  /** Stops publishing changes. */
  @Override
  public synchronized void close() {
    closeQuietly(renewalListener);
    closeQuietly(caListener);
    renewalListener = null;
    caListener = null;
    registry = null;
  }

  private void closeQuietly(AutoCloseable listener) {
    if (listener != null) {
      try {
        listener.close();
      } catch (Exception e) {
        LOG.debug("Removing a listener of SSL bundle '{}' failed", bundleName, e);
      }
    }
  }
}
