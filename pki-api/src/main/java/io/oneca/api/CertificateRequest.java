package io.oneca.api;

import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request for a leaf certificate: whose key, which names, which profile, how long.
 *
 * <p>The key comes either from a PKCS#10 certificate signing request, whose signature is verified
 * (proof that the requester holds the private key), or from a bare public key, for callers that
 * generated the key themselves and vouch for it.
 *
 * @param keySource the CSR or the public key to certify
 * @param commonName the subject common name; when empty, the CSR's common name, else the first DNS
 *     name, else the first URI is used
 * @param profile what the certificate may be used for
 * @param subjectAltNames the names to certify; when empty and a CSR is given, the CSR's requested
 *     names are used
 * @param ttl the requested lifetime; when empty the CA's default applies. Always capped at the CA's
 *     own expiry
 */
public record CertificateRequest(
    KeySource keySource,
    Optional<String> commonName,
    CertificateProfile profile,
    List<SubjectAltName> subjectAltNames,
    Optional<Duration> ttl) {

  /** Validates the request and copies the name list. */
  public CertificateRequest {
    Objects.requireNonNull(keySource, "keySource");
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(profile, "profile");
    subjectAltNames = List.copyOf(subjectAltNames);
    Objects.requireNonNull(ttl, "ttl");
    if (commonName.isPresent() && (commonName.get().isBlank() || commonName.get().length() > 64)) {
      throw new InvalidRequestException("commonName", "must be 1 to 64 characters and not blank");
    }
    if (ttl.isPresent() && (ttl.get().isNegative() || ttl.get().isZero())) {
      throw new InvalidRequestException("ttl", "must be positive, was " + ttl.get());
    }
  }

  /** Where the key to certify comes from. */
  public sealed interface KeySource {}

  /**
   * A PKCS#10 certificate signing request, DER or PEM encoded. Its signature is verified.
   *
   * @param encoded the CSR bytes (copied)
   */
  public record Csr(byte[] encoded) implements KeySource {
    /** Copies the bytes. */
    public Csr {
      Objects.requireNonNull(encoded, "encoded");
      if (encoded.length == 0) {
        throw new InvalidRequestException("csr", "is empty");
      }
      encoded = encoded.clone();
    }

    /** Returns a copy of the CSR bytes. */
    @Override
    public byte[] encoded() {
      return encoded.clone();
    }
  }

  /**
   * A public key supplied directly, without proof of possession.
   *
   * @param publicKey the key to certify
   */
  public record BarePublicKey(PublicKey publicKey) implements KeySource {
    /** Checks the key is present. */
    public BarePublicKey {
      Objects.requireNonNull(publicKey, "publicKey");
    }
  }

  /**
   * Starts a request from a PKCS#10 CSR.
   *
   * @param csr the CSR, DER or PEM encoded
   * @return a builder with profile {@link CertificateProfile#SERVER}
   */
  public static Builder fromCsr(byte[] csr) {
    return new Builder(new Csr(csr));
  }

  /**
   * Starts a request from a public key.
   *
   * @param publicKey the key to certify
   * @return a builder with profile {@link CertificateProfile#SERVER}
   */
  public static Builder fromPublicKey(PublicKey publicKey) {
    return new Builder(new BarePublicKey(publicKey));
  }

  /** Builds a {@link CertificateRequest}. Not thread-safe. */
  public static final class Builder {
    private final KeySource keySource;
    private String commonName;
    private CertificateProfile profile = CertificateProfile.SERVER;
    private final List<SubjectAltName> names = new ArrayList<>();
    private Duration ttl;

    private Builder(KeySource keySource) {
      this.keySource = keySource;
    }

    /**
     * Sets the subject common name.
     *
     * @param commonName 1 to 64 characters
     * @return this builder
     */
    public Builder commonName(String commonName) {
      this.commonName = Objects.requireNonNull(commonName, "commonName");
      return this;
    }

    /**
     * Sets the profile. Default: {@link CertificateProfile#SERVER}.
     *
     * @param profile the profile
     * @return this builder
     */
    public Builder profile(CertificateProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    /**
     * Adds a DNS name.
     *
     * @param name the name
     * @return this builder
     * @throws InvalidRequestException if the name is invalid
     */
    public Builder dnsName(String name) {
      names.add(SubjectAltName.dns(name));
      return this;
    }

    /**
     * Adds an IP address literal.
     *
     * @param literal the address, for example {@code 127.0.0.1} or {@code ::1}
     * @return this builder
     * @throws InvalidRequestException if the value is not an IP literal
     */
    public Builder ipAddress(String literal) {
      names.add(SubjectAltName.ip(literal));
      return this;
    }

    /**
     * Adds an absolute URI.
     *
     * @param uri the URI
     * @return this builder
     * @throws InvalidRequestException if the value is not an absolute URI
     */
    public Builder uri(String uri) {
      names.add(SubjectAltName.uri(uri));
      return this;
    }

    /**
     * Adds a subject alternative name.
     *
     * @param name the name
     * @return this builder
     */
    public Builder subjectAltName(SubjectAltName name) {
      names.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * Sets the requested lifetime. Default: the CA's default leaf lifetime. Capped at the CA's expiry.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     * @throws InvalidRequestException if a field is invalid
     */
    public CertificateRequest build() {
      return new CertificateRequest(
          keySource, Optional.ofNullable(commonName), profile, names, Optional.ofNullable(ttl));
    }
  }
}
