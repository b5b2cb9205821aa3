package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import io.oneca.core.policy.IssuancePolicy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The common-name rule of {@link IssuancePolicy} (see its class javadoc): a CN is a certified SAN, or
 * a DNS name or IP literal the allow-list and the CA's name constraints admit, or anything when neither
 * restricts names.
 */
final class CommonNames {
  private CommonNames() {}

  /**
   * @param commonName the CN the leaf would get
   * @param certified the leaf's SANs, already checked against the policy and the constraints
   * @param policy the issuance policy
   * @param permittedDnsSubtrees the issuing CA's permitted DNS subtrees; empty if unconstrained
   * @throws InvalidRequestException ({@code commonName}) if the CN is outside the name policy
   */
  static void check(String commonName, List<SubjectAltName> certified, IssuancePolicy policy,
      List<String> permittedDnsSubtrees) {
    if (!policy.restrictsNames() && permittedDnsSubtrees.isEmpty()) {
      return;
    }
    Optional<SubjectAltName> asName = parse(commonName);
    if (asName.isPresent() && certified.contains(asName.get())) {
      return;
    }
    if (certified.stream().anyMatch(name -> name instanceof SubjectAltName.Uri uri
        && uri.uri().toASCIIString().equals(commonName))) {
      return;
    }
    String shown = "'" + commonName + "'";
    if (asName.isEmpty()) {
      throw new InvalidRequestException("commonName", shown + " is not one of the certificate's subject"
          + " alternative names, nor a DNS name or IP address that the name policy admits; with an allow-list"
          + " or CA name constraints the common name must be one of these");
    }
    SubjectAltName name = asName.get();
    if (!policy.allows(name)) {
      throw new InvalidRequestException("commonName", shown
          + " is not in the issuance policy's allow-list (nor one of the certificate's subject alternative names)");
    }
    if (!NameConstraintsSupport.permits(permittedDnsSubtrees, name)) {
      throw new InvalidRequestException("commonName", shown + " is outside the CA's name constraints "
          + permittedDnsSubtrees);
    }
  }

  /** The CN as an IP literal, else as a DNS name; empty if it is neither. */
  private static Optional<SubjectAltName> parse(String commonName) {
    try {
      return Optional.of(SubjectAltName.ip(commonName));
    } catch (InvalidRequestException notIp) {
      try {
        return Optional.of(SubjectAltName.dns(commonName.toLowerCase(Locale.ROOT)));
      } catch (InvalidRequestException notDns) {
        return Optional.empty();
      }
    }
  }
}
