package io.oneca.core.policy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@code OneCa} agrees to certify, beyond the rules no policy can relax (a leaf is never a
 * CA, its key usages are fixed by OneCA, RSA keys are at most 16384 bits).
 *
 * <p>Requests that break the policy are refused with an {@link InvalidRequestException} naming the
 * field. A CSR that asks for CA:true or for keyCertSign/cRLSign key usage, repeats an extension,
 * or requests more or larger extensions than allowed is refused rather than silently ignored, so a
 * misconfigured client finds out at once.
 *
 * <p><b>Common name.</b> The subject's common name obeys the same name policy as the SANs (Java's
 * hostname check and many authorizers fall back to it). A CN is accepted if (1) it equals one of the
 * leaf's SANs after they passed the allow-list and the CA's name constraints (DNS names ignoring ASCII
 * case, an IP literal by address, a URI exactly), or (2) it is a DNS name or an IP literal that the
 * allow-list and the CA's DNS name constraints admit as a SAN of that kind, or (3) neither an allow-list
 * nor CA name constraints restrict names. Any other CN (a service name outside the allow-list, a SPIFFE
 * ID or {@code system:node:x} that is not also a SAN, free text) is refused with an
 * {@link InvalidRequestException} naming {@code commonName}.
 *
 * <p>Defaults ({@link #defaults()}): RSA keys of at least 2048 bits, EC keys on P-256 or P-384,
 * Ed25519; any DNS name, IP address and URI (no allow-list); at most 100 subject alternative names;
 * CSRs of at most 32 KiB with at most 16 requested extensions of at most 16 KiB each. Immutable and
 * thread-safe.
 */
public final class IssuancePolicy {
  /** The EC curves OneCA can certify. */
  public static final Set<String> SUPPORTED_CURVES = Set.of("P-256", "P-384");

  private static final IssuancePolicy DEFAULTS = builder().build();

  private final boolean rsaAllowed;
  private final int minimumRsaBits;
  private final Set<String> ecCurves;
  private final boolean ed25519Allowed;
  private final SanAllowList allowList;
  private final int maxSubjectAltNames;
  private final int maxCsrBytes;
  private final int maxCsrExtensions;
  private final int maxExtensionBytes;

  private IssuancePolicy(Builder b) {
    this.rsaAllowed = b.rsaAllowed;
    this.minimumRsaBits = b.minimumRsaBits;
    this.ecCurves = Set.copyOf(b.ecCurves);
    this.ed25519Allowed = b.ed25519Allowed;
    this.allowList = new SanAllowList(b.dnsPatterns, b.ipRanges, b.uriPrefixes);
    this.maxSubjectAltNames = b.maxSubjectAltNames;
    this.maxCsrBytes = b.maxCsrBytes;
    this.maxCsrExtensions = b.maxCsrExtensions;
    this.maxExtensionBytes = b.maxExtensionBytes;
  }

  /** Returns the default policy described in the class documentation. */
  public static IssuancePolicy defaults() {
    return DEFAULTS;
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns whether RSA keys are certified at all. */
  public boolean rsaAllowed() {
    return rsaAllowed;
  }

  /** Returns the smallest RSA modulus certified, in bits. */
  public int minimumRsaBits() {
    return minimumRsaBits;
  }

  /** Returns the EC curves certified, by NIST name ({@code P-256}, {@code P-384}). */
  public Set<String> ecCurves() {
    return ecCurves;
  }

  /** Returns whether Ed25519 keys are certified. */
  public boolean ed25519Allowed() {
    return ed25519Allowed;
  }

  /** Returns the most subject alternative names one certificate may carry. */
  public int maxSubjectAltNames() {
    return maxSubjectAltNames;
  }

  /** Returns the largest CSR accepted, in bytes as submitted (DER or PEM). */
  public int maxCsrBytes() {
    return maxCsrBytes;
  }

  /** Returns the most extensions a CSR may request. */
  public int maxCsrExtensions() {
    return maxCsrExtensions;
  }

  /** Returns the largest value of one requested extension, in bytes. */
  public int maxExtensionBytes() {
    return maxExtensionBytes;
  }

  /**
   * Checks requested names against the allow-list.
   *
   * @param names the names, as {@link SubjectAltName}s
   * @throws InvalidRequestException ({@code subjectAltNames}) naming the first name not allowed, or
   *     if there are more than {@link #maxSubjectAltNames()}
   */
  public void checkNames(List<SubjectAltName> names) {
    if (names.size() > maxSubjectAltNames) {
      throw new InvalidRequestException("subjectAltNames", "at most " + maxSubjectAltNames + " are allowed, got " + names.size());
    }
    for (SubjectAltName name : names) {
      allowList.check(name);
    }
  }

  /**
   * Returns whether an allow-list restricts names (any of {@code allowedDnsNames},
   * {@code allowedIpRanges}, {@code allowedUriPrefixes} was set). Without one, any name is allowed.
   */
  public boolean restrictsNames() {
    return allowList.active();
  }

  /**
   * Returns whether the allow-list admits one name (always, when no allow-list is set). Does not count
   * names; see {@link #checkNames}.
   *
   * @param name a DNS name, IP address or URI
   */
  public boolean allows(SubjectAltName name) {
    return allowList.allows(Objects.requireNonNull(name, "name"));
  }

  /** Configures an {@link IssuancePolicy}; starts from the defaults. Each setter validates. Not thread-safe. */
  public static final class Builder {
    private boolean rsaAllowed = true;
    private int minimumRsaBits = 2048;
    private Set<String> ecCurves = Set.of("P-256", "P-384");
    private boolean ed25519Allowed = true;
    private final List<String> dnsPatterns = new ArrayList<>();
    private final List<String> ipRanges = new ArrayList<>();
    private final List<String> uriPrefixes = new ArrayList<>();
    private int maxSubjectAltNames = 100;
    private int maxCsrBytes = 32 * 1024;
    private int maxCsrExtensions = 16;
    private int maxExtensionBytes = 16 * 1024;

    private Builder() {}

    /**
     * Sets whether RSA keys are certified. Default: {@code true}.
     *
     * @param allowed whether to certify RSA keys
     * @return this builder
     */
    public Builder rsaAllowed(boolean allowed) {
      this.rsaAllowed = allowed;
      return this;
    }

    /**
     * Sets the smallest RSA modulus certified. Default: 2048.
     *
     * @param bits 2048 to 16384
     * @return this builder
     * @throws InvalidRequestException if out of range
     */
    public Builder minimumRsaBits(int bits) {
      if (bits < 2048 || bits > 16384) {
        throw new InvalidRequestException("minimumRsaBits", "must be 2048 to 16384, was " + bits);
      }
      this.minimumRsaBits = bits;
      return this;
    }

    /**
     * Sets the EC curves certified. Default: P-256 and P-384. None means no EC keys.
     *
     * @param curves names from {@link IssuancePolicy#SUPPORTED_CURVES}
     * @return this builder
     * @throws InvalidRequestException if a curve is not supported
     */
    public Builder ecCurves(String... curves) {
      Set<String> set = new LinkedHashSet<>();
      for (String curve : curves) {
        String normalized = Objects.requireNonNull(curve, "curve").toUpperCase(Locale.ROOT);
        if (!SUPPORTED_CURVES.contains(normalized)) {
          throw new InvalidRequestException("ecCurves", "'" + curve + "' is not supported; use P-256 or P-384");
        }
        set.add(normalized);
      }
      this.ecCurves = set;
      return this;
    }

    /**
     * Sets whether Ed25519 keys are certified. Default: {@code true}.
     *
     * @param allowed whether to certify Ed25519 keys
     * @return this builder
     */
    public Builder ed25519Allowed(boolean allowed) {
      this.ed25519Allowed = allowed;
      return this;
    }

    /**
     * Adds DNS names to the allow-list. Once any allow-list entry (DNS, IP or URI) is set, every
     * requested name must match an entry of its own kind. A pattern is an exact name
     * ({@code api.example.com}), {@code *.example.com} (exactly one label below, and the wildcard
     * name {@code *.example.com} itself) or {@code .example.com} (any name below, at any depth, and
     * wildcards below it). Default: no allow-list.
     *
     * @param patterns the patterns
     * @return this builder
     * @throws InvalidRequestException ({@code allowedDnsNames}) if a pattern is malformed
     */
    public Builder allowedDnsNames(String... patterns) {
      for (String pattern : patterns) {
        dnsPatterns.add(SanAllowList.checkDnsPattern(pattern));
      }
      return this;
    }

    /**
     * Adds IP ranges to the allow-list, in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}) or
     * as single addresses. Default: no allow-list.
     *
     * @param cidrs the ranges
     * @return this builder
     * @throws InvalidRequestException ({@code allowedIpRanges}) if a range is malformed
     */
    public Builder allowedIpRanges(String... cidrs) {
      for (String cidr : cidrs) {
        SanAllowList.IpRange.parse(cidr);
        ipRanges.add(cidr);
      }
      return this;
    }

    /**
     * Adds URI prefixes to the allow-list, for example {@code spiffe://example.org/edge/}. A URI is
     * allowed when its ASCII form starts with a prefix. Default: no allow-list.
     *
     * @param prefixes absolute URI prefixes
     * @return this builder
     * @throws InvalidRequestException ({@code allowedUriPrefixes}) if a prefix is not an absolute URI
     */
    public Builder allowedUriPrefixes(String... prefixes) {
      for (String prefix : prefixes) {
        uriPrefixes.add(SanAllowList.checkUriPrefix(prefix));
      }
      return this;
    }

    /**
     * Sets the most subject alternative names per certificate. Default: 100.
     *
     * @param max 1 to 1000
     * @return this builder
     */
    public Builder maxSubjectAltNames(int max) {
      this.maxSubjectAltNames = range("maxSubjectAltNames", max, 1, 1000);
      return this;
    }

    /**
     * Sets the largest CSR accepted. Default: 32768 bytes.
     *
     * @param bytes 1024 to 1048576
     * @return this builder
     */
    public Builder maxCsrBytes(int bytes) {
      this.maxCsrBytes = range("maxCsrBytes", bytes, 1024, 1 << 20);
      return this;
    }

    /**
     * Sets the most extensions a CSR may request. Default: 16.
     *
     * @param max 0 to 64
     * @return this builder
     */
    public Builder maxCsrExtensions(int max) {
      this.maxCsrExtensions = range("maxCsrExtensions", max, 0, 64);
      return this;
    }

    /**
     * Sets the largest value of one requested extension. Default: 16384 bytes.
     *
     * @param bytes 64 to 1048576
     * @return this builder
     */
    public Builder maxExtensionBytes(int bytes) {
      this.maxExtensionBytes = range("maxExtensionBytes", bytes, 64, 1 << 20);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws InvalidRequestException ({@code keyAlgorithms}) if no key algorithm at all is allowed
     */
    public IssuancePolicy build() {
      if (!rsaAllowed && ecCurves.isEmpty() && !ed25519Allowed) {
        throw new InvalidRequestException("keyAlgorithms", "the policy must allow at least one key algorithm");
      }
      return new IssuancePolicy(this);
    }

    private static int range(String field, int value, int min, int max) {
      if (value < min || value > max) {
        throw new InvalidRequestException(field, "must be " + min + " to " + max + ", was " + value);
      }
      return value;
    }
  }
}
