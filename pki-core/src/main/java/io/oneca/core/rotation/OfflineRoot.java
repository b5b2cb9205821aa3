package io.oneca.core.rotation;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A root CA the operator keeps offline: its certificate, and its key only while the operator
 * provides it. In intermediate mode the stored CA is an intermediate signed by this root; peers trust
 * the root, so rotating the intermediate never changes what they trust. A replica that has only the
 * certificate follows and issues, but cannot prepare a successor: that needs the key, for example
 * through {@code oneca rotate prepare} with the root's PEM files.
 */
public final class OfflineRoot {
  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  private OfflineRoot(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /**
   * The root with its key, which lets this replica sign intermediates.
   *
   * @throws InvalidRequestException if the certificate is not a CA or the key does not match it
   */
  public static OfflineRoot of(X509Certificate certificate, PrivateKey privateKey) {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    checkCa(certificate);
    String mismatch = CaChecks.keyMismatch(privateKey, certificate.getPublicKey(), Providers.bouncyCastle());
    if (mismatch != null) {
      throw new InvalidRequestException("rootKey", "does not match the root certificate: " + mismatch);
    }
    return new OfflineRoot(certificate, privateKey);
  }

  /** The root without its key: replicas verify and serve chains up to it but cannot prepare successors. */
  public static OfflineRoot certificateOnly(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    checkCa(certificate);
    return new OfflineRoot(certificate, null);
  }

  /**
   * Reads the root from PEM files: a certificate and a PKCS#8 private key.
   *
   * @throws InvalidRequestException if a file does not hold what it should, naming the file
   * @throws UncheckedIOException if a file cannot be read
   */
  public static OfflineRoot fromPemFiles(Path certificateFile, Path keyFile) {
    X509Certificate certificate = readCertificate(certificateFile);
    PrivateKey key;
    try {
      key = PemKeys.parsePrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), Providers.bouncyCastle());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the offline root key file " + keyFile, e);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("rootKey", "file " + keyFile + ": " + e.getMessage(), e);
    }
    return of(certificate, key);
  }

  /** Reads only the root certificate from a PEM file. */
  public static OfflineRoot certificateFromPemFile(Path certificateFile) {
    return certificateOnly(readCertificate(certificateFile));
  }

  /** Returns the root certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Returns the root key, when this replica was given it. */
  public Optional<PrivateKey> privateKey() {
    return Optional.ofNullable(privateKey);
  }

  private static X509Certificate readCertificate(Path file) {
    List<X509Certificate> certificates;
    try {
      certificates = Pem.decodeCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the offline root certificate file " + file, e);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("rootCertificate", "file " + file + ": " + e.getMessage(), e);
    }
    if (certificates.size() != 1) {
      throw new InvalidRequestException("rootCertificate", "file " + file + " must hold exactly one certificate, holds "
          + certificates.size());
    }
    return certificates.get(0);
  }

  private static void checkCa(X509Certificate certificate) {
    if (certificate.getBasicConstraints() < 1) {
      throw new InvalidRequestException("rootCertificate", "'" + certificate.getSubjectX500Principal().getName()
          + "' must be a CA that may sign intermediates (CA:true with a path length of at least 1)");
    }
  }

  /** Names the root; never prints the key. */
  @Override
  public String toString() {
    return "OfflineRoot[subject=" + certificate.getSubjectX500Principal().getName()
        + ", key=" + (privateKey == null ? "absent" : "present") + "]";
  }
}
