package io.oneca.core;

import io.oneca.api.CertificateProfile;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.SubjectAltName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ManagedIdentity} is: this process's own certificate (its name, key type, lifetime
 * and when to renew it). Build with {@link #builder(String)}.
 *
 * @param name a short name for logs, health and metrics, for example {@code server}
 * @param commonName the certificate's common name
 * @param subjectAltNames the names the certificate is valid for
 * @param profile server, client or both
 * @param keyAlgorithm the key type; a fresh key is generated at every renewal
 * @param ttl the requested lifetime (capped by the CA's remaining validity)
 * @param renewAtShare the share of the lifetime after which to renew, in (0, 1)
 * @param jitterShare the random spread of the renewal time, as a share of the time until renewal
 * @param retry the backoff between failed renewals; attempts continue while the old certificate is valid
 * @param outputDirectory where to write {@code tls.crt}, {@code tls.key} and {@code ca.crt}
 *     atomically at every renewal, if anywhere
 */
public record IdentitySpec(
    String name,
    String commonName,
    List<SubjectAltName> subjectAltNames,
    CertificateProfile profile,
    KeyAlgorithm keyAlgorithm,
    Duration ttl,
    double renewAtShare,
    double jitterShare,
    RetryPolicy retry,
    Optional<Path> outputDirectory) {

  /** Default renewal point: two thirds of the lifetime. */
  public static final double DEFAULT_RENEW_AT_SHARE = 2.0 / 3.0;
  /** Default spread of the renewal point: plus or minus 10%. */
  public static final double DEFAULT_JITTER_SHARE = 0.10;
  /** Default lifetime: 24 hours. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  /** Validates every component. */
  public IdentitySpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(commonName, "commonName");
    subjectAltNames = List.copyOf(subjectAltNames);
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(outputDirectory, "outputDirectory");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new InvalidRequestException("name", "use 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new InvalidRequestException("ttl", "must be positive, was " + ttl);
    }
    if (!(renewAtShare > 0 && renewAtShare < 1)) {
      throw new InvalidRequestException("renewAtShare", "must be in (0, 1), was " + renewAtShare);
    }
    if (!(jitterShare >= 0 && jitterShare < 0.5)) {
      throw new InvalidRequestException("jitterShare", "must be in [0, 0.5), was " + jitterShare);
    }
  }

  /**
   * Starts a specification for an identity named {@code name} whose common name is also
   * {@code name} unless set.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds an {@link IdentitySpec}; every setting has a documented default. */
  public static final class Builder {
    private final String name;
    private String commonName;
    private final List<SubjectAltName> names = new ArrayList<>();
    private CertificateProfile profile = CertificateProfile.SERVER_AND_CLIENT;
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private Duration ttl = DEFAULT_TTL;
    private double renewAtShare = DEFAULT_RENEW_AT_SHARE;
    private double jitterShare = DEFAULT_JITTER_SHARE;
    private RetryPolicy retry = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofMinutes(1), 0.2);
    private Path outputDirectory;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Sets the common name; default: the identity's name. */
    public Builder commonName(String commonName) {
      this.commonName = Objects.requireNonNull(commonName, "commonName");
      return this;
    }

    /** Adds a DNS subject alternative name. */
    public Builder dnsName(String dnsName) {
      names.add(SubjectAltName.dns(dnsName));
      return this;
    }

    /** Adds an IP address subject alternative name, for example {@code 127.0.0.1}. */
    public Builder ipAddress(String literal) {
      names.add(SubjectAltName.ip(literal));
      return this;
    }

    /** Adds a URI subject alternative name, for example a SPIFFE ID. */
    public Builder uri(String uri) {
      names.add(SubjectAltName.uri(uri));
      return this;
    }

    /** Sets the profile; default {@link CertificateProfile#SERVER_AND_CLIENT}. */
    public Builder profile(CertificateProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    /** Sets the key type; default {@link KeyAlgorithm#EC_P256}. */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      return this;
    }

    /** Sets the requested lifetime; default 24 hours. */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /** Sets the share of the lifetime after which to renew; default 2/3. */
    public Builder renewAtShare(double share) {
      this.renewAtShare = share;
      return this;
    }

    /** Sets the spread of the renewal time; default 0.10 (plus or minus 10%). */
    public Builder jitterShare(double share) {
      this.jitterShare = share;
      return this;
    }

    /** Sets the backoff between failed renewals; default 200 ms doubling to 1 minute, unbounded attempts. */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Writes {@code tls.crt}, {@code tls.key} (0600) and {@code ca.crt} atomically here at every renewal. */
    public Builder outputDirectory(Path directory) {
      this.outputDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Returns the specification. */
    public IdentitySpec build() {
      return new IdentitySpec(name, commonName != null ? commonName : name, names, profile, keyAlgorithm, ttl,
          renewAtShare, jitterShare, retry, Optional.ofNullable(outputDirectory));
    }
  }
}
