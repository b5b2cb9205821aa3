package io.oneca.samples.cloudcore.edge;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Why one edge request failed: the distinction the zero-downtime checks are about. */
public enum FailureKind {
  /** A certificate or trust problem: the peer's certificate was refused, or ours was. Must never happen. */
  CERTIFICATE_OR_TRUST,
  /** The replica could not be reached or went away (refused, reset, timed out): retried elsewhere. */
  REPLICA_UNAVAILABLE,
  /** The replica answered, but not with success. */
  BAD_ANSWER;

  /**
   * Classifies a failure.
   *
   * @param failure what was thrown
   * @return its kind
   */
  public static FailureKind of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathValidatorException
          || t instanceof CertPathBuilderException) {
        return CERTIFICATE_OR_TRUST;
      }
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof SSLException && (message.contains("certificate") || message.contains("unknown_ca")
          || message.contains("pkix") || message.contains("no subject alternative") || message.contains("trust"))) {
        return CERTIFICATE_OR_TRUST;
      }
      // Whatever the exception type (other TLS stacks, wrapped errors): words only trust failures use.
      if (message.contains("unknown authority") || message.contains("certification path")
          || message.contains("pkix path") || message.contains("unknown_ca") || message.contains("bad_certificate")
          || message.contains("certificate_unknown") || message.contains("certificate_expired")
          || message.contains("certificate_required")) {
        return CERTIFICATE_OR_TRUST;
      }
    }
    if (failure instanceof ConnectException || failure instanceof SocketTimeoutException
        || failure instanceof EOFException || failure instanceof SocketException || failure instanceof SSLException) {
      return REPLICA_UNAVAILABLE;
    }
    return BAD_ANSWER;
  }
}
