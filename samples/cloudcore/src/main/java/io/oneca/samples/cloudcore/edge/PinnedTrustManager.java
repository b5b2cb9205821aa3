package io.oneca.samples.cloudcore.edge;

import io.oneca.api.Fingerprint;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server for the join only if its chain contains a CA whose SHA-256 fingerprint the
 * operator gave the edge with its token (like kubeadm's {@code --discovery-token-ca-cert-hash}),
 * and the chain validates up to that CA. The edge has no trust bundle before it joins; this pin is
 * what stops a man in the middle from handing it a bundle of its own.
 */
final class PinnedTrustManager implements X509TrustManager {
  private final Set<String> pins;

  PinnedTrustManager(Set<String> sha256Pins) {
    if (sha256Pins.isEmpty()) {
      throw new IllegalArgumentException("at least one CA pin is required");
    }
    this.pins = Set.copyOf(sha256Pins);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server sent no certificate");
    }
    for (X509Certificate candidate : chain) {
      if (pins.contains(Fingerprint.of(candidate).sha256Hex())) {
        validate(chain, candidate);
        return;
      }
    }
    throw new CertificateException("no certificate in the server's chain matches the pinned CA fingerprint(s)");
  }

  private static void validate(X509Certificate[] chain, X509Certificate anchor) throws CertificateException {
    List<X509Certificate> path = Arrays.stream(chain).takeWhile(c -> !c.equals(anchor)).toList();
    if (path.isEmpty()) {
      throw new CertificateException("the server presented the pinned CA itself, not a certificate issued by it");
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the server's chain does not validate up to the pinned CA: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("the join trust manager only checks servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
