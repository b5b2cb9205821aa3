package io.oneca.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 fingerprint of a certificate's DER encoding: how replicas, operators and tests tell
 * CAs apart. Two replicas agree on the CA exactly when their CA fingerprints are equal.
 *
 * @param sha256Hex 64 lowercase hexadecimal characters
 */
public record Fingerprint(String sha256Hex) {

  /**
   * Validates and normalizes the hex string.
   *
   * @throws InvalidRequestException if the value is not 64 hexadecimal characters
   */
  public Fingerprint {
    Objects.requireNonNull(sha256Hex, "sha256Hex");
    sha256Hex = sha256Hex.toLowerCase(Locale.ROOT);
    if (sha256Hex.length() != 64 || !sha256Hex.chars().allMatch(Fingerprint::isHexDigit)) {
      throw new InvalidRequestException("fingerprint", "expected 64 hexadecimal characters");
    }
  }

  /**
   * Computes the fingerprint of a certificate.
   *
   * @param certificate the certificate
   * @return its SHA-256 fingerprint
   * @throws InvalidRequestException if the certificate cannot be encoded
   */
  public static Fingerprint of(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    try {
      return of(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new InvalidRequestException("certificate", "cannot be DER-encoded", e);
    }
  }

  /**
   * Computes the fingerprint of DER-encoded bytes.
   *
   * @param der the DER encoding of a certificate
   * @return its SHA-256 fingerprint
   */
  public static Fingerprint of(byte[] der) {
    Objects.requireNonNull(der, "der");
    try {
      return new Fingerprint(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /** Returns the first 16 hexadecimal characters, enough to tell CAs apart in logs and tables. */
  public String shortForm() {
    return sha256Hex.substring(0, 16);
  }

  /** Returns {@code SHA256:} followed by colon-separated uppercase hex pairs, as openssl prints it. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("SHA256:");
    for (int i = 0; i < sha256Hex.length(); i += 2) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(sha256Hex.substring(i, i + 2).toUpperCase(Locale.ROOT));
    }
    return sb.toString();
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
