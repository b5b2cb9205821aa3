package io.oneca.core.internal.crypto;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * DNS name constraints of a CA: writing them when generating a CA, and refusing to issue a leaf
 * whose DNS names fall outside them (the leaf would fail path validation at every peer anyway).
 */
public final class NameConstraintsSupport {
  private NameConstraintsSupport() {}

  /**
   * Validates permitted DNS subtrees as a builder setting.
   *
   * @param subtrees DNS names such as {@code example.com} (that name and everything below it)
   * @return the lowercased subtrees
   * @throws InvalidRequestException ({@code caPermittedDnsSubtrees}) if one is not a DNS name
   */
  public static List<String> validate(List<String> subtrees) {
    List<String> result = new ArrayList<>();
    for (String subtree : subtrees) {
      try {
        String name = ((SubjectAltName.Dns) SubjectAltName.dns(subtree)).name();
        if (name.startsWith("*")) {
          throw new InvalidRequestException("dnsName", "wildcard");
        }
        result.add(name.toLowerCase(Locale.ROOT));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("caPermittedDnsSubtrees", "'" + subtree + "' is not a DNS name without wildcard");
      }
    }
    return List.copyOf(result);
  }

  static NameConstraints permitting(List<String> subtrees) {
    GeneralSubtree[] permitted = new GeneralSubtree[subtrees.size()];
    for (int i = 0; i < permitted.length; i++) {
      permitted[i] = new GeneralSubtree(new GeneralName(GeneralName.dNSName, subtrees.get(i)));
    }
    return new NameConstraints(permitted, null);
  }

  static List<String> permittedDnsSubtrees(X509Certificate ca) {
    byte[] extension = ca.getExtensionValue(Extension.nameConstraints.getId());
    if (extension == null) {
      return List.of();
    }
    try {
      NameConstraints constraints = NameConstraints.getInstance(
          ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
      List<String> result = new ArrayList<>();
      GeneralSubtree[] permitted = constraints.getPermittedSubtrees();
      if (permitted != null) {
        for (GeneralSubtree subtree : permitted) {
          if (subtree.getBase().getTagNo() == GeneralName.dNSName) {
            result.add(((ASN1String) subtree.getBase().getName()).getString().toLowerCase(Locale.ROOT));
          }
        }
      }
      return List.copyOf(result);
    } catch (Exception e) {
      throw new IllegalStateException("the CA certificate's name constraints cannot be parsed", e);
    }
  }

  static void check(List<String> permittedDnsSubtrees, List<SubjectAltName> names) {
    if (permittedDnsSubtrees.isEmpty()) {
      return;
    }
    for (SubjectAltName name : names) {
      if (name instanceof SubjectAltName.Dns dns && permittedDnsSubtrees.stream().noneMatch(s -> within(dns.name(), s))) {
        throw new InvalidRequestException("subjectAltNames", "DNS name '" + dns.name()
            + "' is outside the CA's name constraints " + permittedDnsSubtrees);
      }
    }
  }

  /** Returns whether the constraints admit the name: DNS names only are constrained. */
  static boolean permits(List<String> permittedDnsSubtrees, SubjectAltName name) {
    return permittedDnsSubtrees.isEmpty() || !(name instanceof SubjectAltName.Dns dns)
        || permittedDnsSubtrees.stream().anyMatch(s -> within(dns.name(), s));
  }

  static boolean within(String name, String subtree) {
    if (subtree.startsWith(".")) {
      return name.endsWith(subtree);
    }
    return name.equals(subtree) || name.endsWith("." + subtree);
  }
}
