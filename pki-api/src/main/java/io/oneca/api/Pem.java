package io.oneca.api;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/** PEM text for certificates, as files, Kubernetes Secrets and {@code openssl} expect it. */
public final class Pem {
  private static final Base64.Encoder ENCODER =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {}

  /**
   * Encodes DER bytes as one PEM block.
   *
   * @param type the block type, for example {@code CERTIFICATE}
   * @param der the bytes
   * @return the PEM block, ending with a newline
   */
  public static String encode(String type, byte[] der) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(der, "der");
    return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /**
   * Encodes certificates as concatenated PEM blocks, in the given order.
   *
   * @param certificates the certificates
   * @return the PEM text
   * @throws InvalidRequestException if a certificate cannot be encoded
   */
  public static String encodeCertificates(List<X509Certificate> certificates) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        sb.append(encode("CERTIFICATE", certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new InvalidRequestException("certificate", "cannot be DER-encoded", e);
      }
    }
    return sb.toString();
  }

  /**
   * Parses every certificate in PEM text (or a DER certificate).
   *
   * @param pem the text
   * @return the certificates in order; never empty
   * @throws InvalidRequestException if no certificate can be parsed
   */
  public static List<X509Certificate> decodeCertificates(String pem) {
    Objects.requireNonNull(pem, "pem");
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> result = new ArrayList<>();
      for (var certificate :
          factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        result.add((X509Certificate) certificate);
      }
      if (result.isEmpty()) {
        throw new InvalidRequestException("certificate", "no certificate found in the PEM text");
      }
      return List.copyOf(result);
    } catch (CertificateException e) {
      throw new InvalidRequestException("certificate", "not a parsable PEM certificate", e);
    }
  }
}
