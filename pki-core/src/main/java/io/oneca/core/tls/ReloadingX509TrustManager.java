package io.oneca.core.tls;

import io.oneca.api.InvalidRequestException;
import io.oneca.core.internal.tls.TlsMaterial;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager whose trust anchors (the CA bundle) can be replaced while TLS contexts that use
 * it keep running. Each {@link #update} builds a PKIX trust manager for the new anchors and
 * publishes it in one volatile write; handshakes read it without locks. Updating with the same
 * anchors (in any order) changes nothing.
 *
 * <p>During a CA rotation the bundle holds the old and the new CA, so peers with certificates from
 * either are trusted; see the rotation documentation.
 */
public final class ReloadingX509TrustManager extends X509ExtendedTrustManager {

  private record Snapshot(X509ExtendedTrustManager delegate, List<X509Certificate> anchors, byte[] digest) {}

  private volatile Snapshot snapshot;
  private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Creates a trust manager that trusts nothing until the first {@link #update}. */
  public ReloadingX509TrustManager() {}

  /**
   * Creates a trust manager trusting the given anchors.
   *
   * @throws InvalidRequestException if the anchors are empty or unusable
   */
  public static ReloadingX509TrustManager of(Collection<X509Certificate> anchors) {
    ReloadingX509TrustManager manager = new ReloadingX509TrustManager();
    manager.update(anchors);
    return manager;
  }

  /**
   * Replaces the trusted anchors.
   *
   * @param anchors the CA certificates to trust; at least one
   * @return {@code true} if the set of anchors changed
   * @throws InvalidRequestException ({@code anchors}) if empty or not loadable; the trusted set
   *     then stays unchanged
   */
  public synchronized boolean update(Collection<X509Certificate> anchors) {
    Objects.requireNonNull(anchors, "anchors");
    if (anchors.isEmpty()) {
      throw new InvalidRequestException("anchors", "at least one trust anchor is required");
    }
    List<X509Certificate> jdkAnchors;
    try {
      jdkAnchors = TlsMaterial.toJdkCertificates(anchors).stream()
          .sorted((a, b) -> a.getSerialNumber().compareTo(b.getSerialNumber()) != 0
              ? a.getSerialNumber().compareTo(b.getSerialNumber())
              : Arrays.compare(TlsMaterial.digest(List.of(a), null), TlsMaterial.digest(List.of(b), null)))
          .toList();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("anchors", e.getMessage(), e);
    }
    byte[] digest = TlsMaterial.digest(jdkAnchors, null);
    Snapshot old = snapshot;
    if (old != null && Arrays.equals(old.digest(), digest)) {
      return false;
    }
    snapshot = new Snapshot(pkix(jdkAnchors), jdkAnchors, digest);
    changeListeners.forEach(Runnable::run);
    return true;
  }

  /** Returns the anchors trusted now; empty before the first update. */
  public List<X509Certificate> anchors() {
    Snapshot current = snapshot;
    return current == null ? List.of() : current.anchors();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate().checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    Snapshot current = snapshot;
    return current == null ? new X509Certificate[0] : current.anchors().toArray(new X509Certificate[0]);
  }

  /** Runs {@code listener} after every change; {@link TlsContexts} uses it to drop cached sessions. */
  void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Removes a listener added by {@link #onChange}. */
  void removeOnChange(Runnable listener) {
    changeListeners.remove(listener);
  }

  @Override
  public String toString() {
    Snapshot current = snapshot;
    return "ReloadingX509TrustManager[anchors=" + (current == null ? 0 : current.anchors().size()) + "]";
  }

  private X509ExtendedTrustManager delegate() throws CertificateException {
    Snapshot current = snapshot;
    if (current == null) {
      throw new CertificateException("no trust anchors loaded yet");
    }
    return current.delegate();
  }

  private static X509ExtendedTrustManager pkix(List<X509Certificate> anchors) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < anchors.size(); i++) {
        store.setCertificateEntry("anchor-" + i, anchors.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("the JDK's PKIX TrustManagerFactory returned no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new InvalidRequestException("anchors", "cannot build a trust store: " + e.getMessage(), e);
    }
  }
}
