package io.oneca.core.policy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.SubjectAltName;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The subject-alternative-name allow-list of an {@link IssuancePolicy}; empty means "any name". */
final class SanAllowList {
  private static final Pattern URI_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[\\x21-\\x7e]*");

  private final List<String> dnsPatterns;
  private final List<IpRange> ipRanges;
  private final List<String> uriPrefixes;

  SanAllowList(List<String> dnsPatterns, List<String> ipRanges, List<String> uriPrefixes) {
    this.dnsPatterns = List.copyOf(dnsPatterns);
    this.ipRanges = ipRanges.stream().map(IpRange::parse).toList();
    this.uriPrefixes = List.copyOf(uriPrefixes);
  }

  boolean active() {
    return !dnsPatterns.isEmpty() || !ipRanges.isEmpty() || !uriPrefixes.isEmpty();
  }

  void check(SubjectAltName name) {
    if (!allows(name)) {
      throw new InvalidRequestException("subjectAltNames", shown(name) + " is not in the issuance policy's allow-list");
    }
  }

  boolean allows(SubjectAltName name) {
    if (!active()) {
      return true;
    }
    if (name instanceof SubjectAltName.Dns dns) {
      return dnsPatterns.stream().anyMatch(pattern -> dnsMatches(pattern, dns.name()));
    } else if (name instanceof SubjectAltName.IpAddress ip) {
      return ipRanges.stream().anyMatch(range -> range.contains(ip.address()));
    }
    String uri = ((SubjectAltName.Uri) name).uri().toASCIIString();
    return uriPrefixes.stream().anyMatch(uri::startsWith);
  }

  private static String shown(SubjectAltName name) {
    if (name instanceof SubjectAltName.Dns dns) {
      return "DNS name '" + dns.name() + "'";
    } else if (name instanceof SubjectAltName.IpAddress ip) {
      return "IP address " + ip.address().getHostAddress();
    }
    return "URI '" + ((SubjectAltName.Uri) name).uri().toASCIIString() + "'";
  }

  static boolean dnsMatches(String pattern, String name) {
    if (pattern.startsWith(".")) {
      return name.endsWith(pattern) && name.length() > pattern.length();
    }
    if (pattern.startsWith("*.")) {
      if (name.equals(pattern)) {
        return true;
      }
      String parent = pattern.substring(1);
      if (!name.endsWith(parent)) {
        return false;
      }
      String label = name.substring(0, name.length() - parent.length());
      return !label.isEmpty() && !label.equals("*") && label.indexOf('.') < 0;
    }
    return name.equals(pattern);
  }

  static String checkDnsPattern(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new InvalidRequestException("allowedDnsNames", "a pattern must not be empty");
    }
    String lower = pattern.toLowerCase(Locale.ROOT);
    String base = lower.startsWith("*.") ? lower.substring(2) : lower.startsWith(".") ? lower.substring(1) : lower;
    try {
      SubjectAltName.dns(base);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("allowedDnsNames", "'" + pattern + "' is not a DNS name, *.name or .name");
    }
    if (base.startsWith("*")) {
      throw new InvalidRequestException("allowedDnsNames", "'" + pattern + "' may have one wildcard only, leftmost");
    }
    return lower;
  }

  static String checkUriPrefix(String prefix) {
    if (prefix == null || !URI_PREFIX.matcher(prefix).matches()) {
      throw new InvalidRequestException("allowedUriPrefixes",
          "'" + prefix + "' is not an absolute URI prefix (scheme:... without spaces)");
    }
    return prefix;
  }

  /** An IPv4 or IPv6 network in CIDR notation. */
  record IpRange(byte[] network, int prefixLength) {
    static IpRange parse(String cidr) {
      if (cidr == null) {
        throw new InvalidRequestException("allowedIpRanges", "a range must not be null");
      }
      int slash = cidr.indexOf('/');
      String address = slash < 0 ? cidr : cidr.substring(0, slash);
      byte[] bytes;
      try {
        bytes = ((SubjectAltName.IpAddress) SubjectAltName.ip(address)).address().getAddress();
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("allowedIpRanges", "'" + cidr + "' is not an IP address or CIDR range");
      }
      int length = bytes.length * 8;
      if (slash >= 0) {
        try {
          length = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
          length = -1;
        }
        if (length < 0 || length > bytes.length * 8) {
          throw new InvalidRequestException("allowedIpRanges", "'" + cidr + "' has an invalid prefix length");
        }
      }
      return new IpRange(bytes, length);
    }

    boolean contains(InetAddress address) {
      byte[] candidate = address.getAddress();
      if (candidate.length != network.length) {
        return false;
      }
      int bits = network.length * 8;
      BigInteger mask = prefixLength == 0 ? BigInteger.ZERO
          : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefixLength).shiftLeft(bits - prefixLength);
      return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
    }
  }
}
