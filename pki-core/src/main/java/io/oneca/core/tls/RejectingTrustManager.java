package io.oneca.core.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts no one. Installed when a context is built without a trust manager, so that a missing trust
 * configuration fails handshakes instead of silently falling back to the JDK's public CA store.
 */
final class RejectingTrustManager implements X509TrustManager {
  static final RejectingTrustManager INSTANCE = new RejectingTrustManager();

  private RejectingTrustManager() {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this context was built without a trust manager: it trusts no client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this context was built without a trust manager: it trusts no server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
