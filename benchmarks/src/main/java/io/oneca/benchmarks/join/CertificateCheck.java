package io.oneca.benchmarks.join;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The part of every {@link RequestFormat}'s check that is about the certificate: it must parse as
 * X.509 and certify exactly the request's public key and DNS name. The CA's signature on it is not
 * verified (that would add a P-256 verification per request to the client's cost and both signers
 * sign with the CA the script created).
 */
public final class CertificateCheck {
  private static final ThreadLocal<CertificateFactory> FACTORY = ThreadLocal.withInitial(() -> {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("no X.509 certificate factory", e);
    }
  });

  private CertificateCheck() {}

  /**
   * Parses a PEM (or DER) certificate and checks it against the request.
   *
   * @param certificate the certificate as sent by the signer
   * @param csr the request
   * @return the parsed certificate
   * @throws RejectedResponse {@code certificate unparsable}, {@code key mismatch} or
   *     {@code dns name missing}
   */
  public static X509Certificate requireMatching(String certificate, CsrSample csr) throws RejectedResponse {
    if (certificate == null || certificate.isEmpty()) {
      throw new RejectedResponse("no certificate");
    }
    X509Certificate parsed;
    try {
      parsed = (X509Certificate) FACTORY.get()
          .generateCertificate(new ByteArrayInputStream(certificate.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException | ClassCastException e) {
      throw new RejectedResponse("certificate unparsable");
    }
    if (!csr.hasPublicKey(parsed.getPublicKey().getEncoded())) {
      throw new RejectedResponse("key mismatch");
    }
    if (!hasDnsName(parsed, csr.dnsName())) {
      throw new RejectedResponse("dns name missing");
    }
    return parsed;
  }

  private static boolean hasDnsName(X509Certificate certificate, String dnsName) throws RejectedResponse {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new RejectedResponse("subjectAltName unparsable");
    }
    if (names == null) {
      return false;
    }
    for (List<?> name : names) {
      if (Integer.valueOf(2).equals(name.get(0)) && dnsName.equalsIgnoreCase(String.valueOf(name.get(1)))) {
        return true;
      }
    }
    return false;
  }
}
