package io.oneca.api;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A subject alternative name of a leaf certificate: the names TLS peers check. Values are validated
 * when created, so an invalid name fails at the caller, not deep inside issuance.
 */
public sealed interface SubjectAltName {

  /**
   * A DNS name, lowercase. A wildcard is allowed only as the whole leftmost label ({@code *.example.com}).
   *
   * @param name the validated, lowercased name
   */
  record Dns(String name) implements SubjectAltName {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** @throws InvalidRequestException if the name is not a valid DNS name */
    public Dns {
      Objects.requireNonNull(name, "name");
      name = name.toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.length() > 253) {
        throw new InvalidRequestException("dnsName", "must be 1 to 253 characters");
      }
      String[] labels = name.split("\\.", -1);
      for (int i = 0; i < labels.length; i++) {
        boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 2;
        if (!wildcard && !LABEL.matcher(labels[i]).matches()) {
          throw new InvalidRequestException(
              "dnsName", "'" + name + "' has an invalid label '" + labels[i] + "'");
        }
      }
    }
  }

  /**
   * An IPv4 or IPv6 address.
   *
   * @param address the address
   */
  record IpAddress(InetAddress address) implements SubjectAltName {
    /** Checks the address is present. */
    public IpAddress {
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * An absolute URI, for example a SPIFFE ID {@code spiffe://example.org/edge/node-1}.
   *
   * @param uri the absolute URI
   */
  record Uri(URI uri) implements SubjectAltName {
    /** @throws InvalidRequestException if the URI is not absolute */
    public Uri {
      Objects.requireNonNull(uri, "uri");
      if (!uri.isAbsolute()) {
        throw new InvalidRequestException("uri", "'" + uri + "' is not an absolute URI");
      }
    }
  }

  /**
   * Returns a DNS name.
   *
   * @param name the name, for example {@code cloudcore.example.com}
   * @return the validated name
   * @throws InvalidRequestException if the name is not a valid DNS name
   */
  static SubjectAltName dns(String name) {
    return new Dns(name);
  }

  /**
   * Parses an IP address literal. Never performs a DNS lookup.
   *
   * @param literal an IPv4 dotted quad or an IPv6 literal, without brackets
   * @return the address
   * @throws InvalidRequestException if the value is not an IP literal
   */
  static SubjectAltName ip(String literal) {
    Objects.requireNonNull(literal, "literal");
    boolean ipv4 = literal.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.]{2,45}");
    if (!ipv4 && !ipv6) {
      throw new InvalidRequestException("ipAddress", "'" + literal + "' is not an IP literal");
    }
    try {
      return new IpAddress(InetAddress.getByName(literal));
    } catch (UnknownHostException e) {
      throw new InvalidRequestException("ipAddress", "'" + literal + "' is not an IP literal", e);
    }
  }

  /**
   * Returns an IP address name.
   *
   * @param address the address
   * @return the name
   */
  static SubjectAltName ip(InetAddress address) {
    return new IpAddress(address);
  }

  /**
   * Parses an absolute URI.
   *
   * @param uri the URI, for example {@code spiffe://example.org/edge/node-1}
   * @return the name
   * @throws InvalidRequestException if the value is not an absolute URI
   */
  static SubjectAltName uri(String uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      return new Uri(new URI(uri));
    } catch (URISyntaxException e) {
      throw new InvalidRequestException("uri", "'" + uri + "' is not a URI", e);
    }
  }
}
