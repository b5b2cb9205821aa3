package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.policy.IssuancePolicy;
import java.net.InetAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The common name obeys the name policy: a leaf's CN is one of its certified SANs, or a DNS name or
 * IP address that the allow-list and the CA's name constraints admit, or anything at all when neither
 * restricts names. Issue 21.1: a CSR with {@code CN=kube-apiserver} and no SANs was signed under an
 * allow-list of {@code *.example.com}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommonNamePolicyTest {
  private static final Duration TTL = Duration.ofHours(1);
  private static final KeyPair KEY = TestPki.keyPair(KeyAlgorithm.EC_P256);
  private static final IssuancePolicy EXAMPLE_COM = IssuancePolicy.builder().allowedDnsNames("*.example.com").build();
  private static CaMaterial constrainedCa;

  private static synchronized CaMaterial constrainedCa() {
    if (constrainedCa == null) {
      constrainedCa = new CaGenerator(BC, RANDOM).generate(
          new CaSpec("CN=constrained", KeyAlgorithm.EC_P256, Duration.ofDays(1), 0), Instant.now(), List.of("example.com"));
    }
    return constrainedCa;
  }

  private static IssuedCertificate issue(IssuancePolicy policy, CaMaterial ca, CertificateRequest request) {
    return new LeafIssuer(BC, RANDOM, policy).issue(ca, 1, request, TTL, Instant.now());
  }

  private static IssuedCertificate issue(IssuancePolicy policy, CertificateRequest request) {
    return issue(policy, TestPki.ca(KeyAlgorithm.EC_P256), request);
  }

  private static void rejectedAsCommonName(IssuancePolicy policy, CaMaterial ca, CertificateRequest request, String shown) {
    assertThatThrownBy(() -> issue(policy, ca, request))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("commonName"))
        .hasMessageContaining(shown);
  }

  private static String commonNameOf(IssuedCertificate issued) throws Exception {
    for (Rdn rdn : new LdapName(issued.chain().get(0).getSubjectX500Principal().getName()).getRdns()) {
      if (rdn.getType().equalsIgnoreCase("CN")) {
        return rdn.getValue().toString();
      }
    }
    throw new AssertionError("no CN in " + issued.chain().get(0).getSubjectX500Principal());
  }

  @Test
  void csrCommonName_outsideAllowList_noSans_rejected() throws Exception {
    byte[] csr = TestPki.csr("CN=kube-apiserver", KEY);

    rejectedAsCommonName(EXAMPLE_COM, TestPki.ca(KeyAlgorithm.EC_P256), CertificateRequest.fromCsr(csr).build(), "kube-apiserver");
  }

  @Test
  void csrCommonName_outsideAllowList_withAllowedSan_rejected() throws Exception {
    byte[] csr = TestPki.csr("CN=kube-apiserver", KEY, new GeneralName(GeneralName.dNSName, "a.example.com"));

    rejectedAsCommonName(EXAMPLE_COM, TestPki.ca(KeyAlgorithm.EC_P256), CertificateRequest.fromCsr(csr).build(), "kube-apiserver");
  }

  @Test
  void csrCommonName_outsideCaNameConstraints_rejected() throws Exception {
    byte[] csr = TestPki.csr("CN=kube-apiserver", KEY);

    rejectedAsCommonName(IssuancePolicy.defaults(), constrainedCa(), CertificateRequest.fromCsr(csr).build(), "name constraints");
  }

  @Test
  void explicitCommonName_outsideAllowList_rejected() {
    CertificateRequest request = CertificateRequest.fromPublicKey(KEY.getPublic())
        .commonName("admin.evil.net").dnsName("a.example.com").build();

    rejectedAsCommonName(EXAMPLE_COM, TestPki.ca(KeyAlgorithm.EC_P256), request, "admin.evil.net");
  }

  @Test
  void commonName_equalToCertifiedSan_acceptedIgnoringDnsCase() throws Exception {
    byte[] csr = TestPki.csr("CN=A.Example.COM", KEY, new GeneralName(GeneralName.dNSName, "a.example.com"));

    assertThat(commonNameOf(issue(EXAMPLE_COM, CertificateRequest.fromCsr(csr).build()))).isEqualTo("A.Example.COM");
  }

  @Test
  void commonName_dnsNameInsideAllowListAndConstraints_acceptedWithoutBeingASan() throws Exception {
    CertificateRequest request = CertificateRequest.fromPublicKey(KEY.getPublic())
        .commonName("api.example.com").dnsName("web.example.com").build();

    assertThat(commonNameOf(issue(EXAMPLE_COM, constrainedCa(), request))).isEqualTo("api.example.com");
  }

  @Test
  void commonName_ipLiteral_checkedAgainstIpRanges() throws Exception {
    IssuancePolicy tenNet = IssuancePolicy.builder().allowedIpRanges("10.0.0.0/8").build();
    CertificateRequest inside = CertificateRequest.fromPublicKey(KEY.getPublic()).commonName("10.1.2.3").ipAddress("10.0.0.1").build();
    CertificateRequest outside = CertificateRequest.fromPublicKey(KEY.getPublic()).commonName("192.168.0.1").ipAddress("10.0.0.1").build();

    assertThat(commonNameOf(issue(tenNet, inside))).isEqualTo("10.1.2.3");
    rejectedAsCommonName(tenNet, TestPki.ca(KeyAlgorithm.EC_P256), outside, "192.168.0.1");
  }

  /** A CN that is no DNS name or IP address (a SPIFFE ID, a Kubernetes user, free text) must equal a certified SAN. */
  @ParameterizedTest
  @ValueSource(strings = {"spiffe://example.org/edge/node-1", "system:node:edge-1", "My Service", "a.example.com.",
      "xn--80ak6aa92e.example.com.evil"})
  void commonName_notADnsName_underRestrictivePolicy_rejectedUnlessACertifiedSan(String commonName) {
    IssuancePolicy spiffe = IssuancePolicy.builder().allowedDnsNames("*.example.com")
        .allowedUriPrefixes("spiffe://example.org/").build();
    CertificateRequest request = CertificateRequest.fromPublicKey(KEY.getPublic())
        .commonName(commonName).dnsName("a.example.com").uri("spiffe://example.org/edge/node-2").build();

    rejectedAsCommonName(spiffe, TestPki.ca(KeyAlgorithm.EC_P256), request, "commonName");
  }

  @Test
  void commonName_spiffeIdEqualToUriSan_accepted() throws Exception {
    IssuancePolicy spiffe = IssuancePolicy.builder().allowedUriPrefixes("spiffe://example.org/").build();
    byte[] csr = TestPki.csr("CN=spiffe://example.org/edge/node-1", KEY,
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/edge/node-1"));

    assertThat(commonNameOf(issue(spiffe, CertificateRequest.fromCsr(csr).build()))).isEqualTo("spiffe://example.org/edge/node-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"kube-apiserver", "My Service", "system:node:edge-1"})
  void commonName_unrestrictedPolicyAndCa_anyNameAccepted(String commonName) throws Exception {
    CertificateRequest request = CertificateRequest.fromPublicKey(KEY.getPublic()).commonName(commonName).build();

    assertThat(commonNameOf(issue(IssuancePolicy.defaults(), request))).isEqualTo(commonName);
  }

  /**
   * Property over seeded random CNs, SAN sets and allow-lists: a leaf is issued exactly when an
   * independent oracle admits every SAN and the CN, and an issued leaf's CN is a certified SAN or a
   * name the allow-list admits. A failing seed is printed and replays exactly.
   */
  @Test
  void property_randomCommonNamesAndAllowLists_issuedIffOracleAdmits() throws Exception {
    long seed = Long.getLong("oneca.seed", System.nanoTime());
    Random random = new Random(seed);
    String[][] allowLists = {{"*.example.com"}, {".example.com"}, {"api.example.com"}, {"*.example.com", "10.0.0.0/8"},
        {"10.0.0.0/8"}, {}};
    int issued = 0;
    int rejected = 0;
    for (int i = 0; i < 400; i++) {
      String[] allow = allowLists[random.nextInt(allowLists.length)];
      IssuancePolicy.Builder builder = IssuancePolicy.builder();
      for (String entry : allow) {
        if (Character.isDigit(entry.charAt(0))) {
          builder.allowedIpRanges(entry);
        } else {
          builder.allowedDnsNames(entry);
        }
      }
      IssuancePolicy policy = builder.build();
      String commonName = randomCommonName(random);
      List<String> dnsSans = new ArrayList<>();
      for (int n = random.nextInt(3); n > 0; n--) {
        dnsSans.add(randomDnsName(random));
      }
      CertificateRequest.Builder request = CertificateRequest.fromPublicKey(KEY.getPublic()).commonName(commonName);
      dnsSans.forEach(request::dnsName);
      boolean expected = dnsSans.stream().allMatch(name -> Oracle.admits(allow, name))
          && Oracle.commonNameAdmitted(allow, commonName, dnsSans);
      String context = "seed " + seed + " (-Doneca.seed=" + seed + "), step " + i + ": allow-list " + List.of(allow)
          + ", CN '" + commonName + "', DNS SANs " + dnsSans;
      try {
        IssuedCertificate leaf = issue(policy, request.build());
        assertThat(expected).as("issued although the oracle refuses: %s", context).isTrue();
        assertThat(commonNameOf(leaf)).as(context).isEqualTo(commonName);
        issued++;
      } catch (InvalidRequestException e) {
        assertThat(expected).as("refused (%s) although the oracle admits: %s", e.getMessage(), context).isFalse();
        assertThat(e.field()).as(context).isIn("commonName", "subjectAltNames");
        rejected++;
      }
    }
    assertThat(issued).as("seed %s exercised issuance", seed).isPositive();
    assertThat(rejected).as("seed %s exercised rejection", seed).isPositive();
  }

  private static String randomCommonName(Random random) {
    return switch (random.nextInt(7)) {
      case 0 -> randomDnsName(random);
      case 1 -> randomDnsName(random).toUpperCase(Locale.ROOT);
      case 2 -> (random.nextBoolean() ? "10." : "192.168.") + random.nextInt(256) + "." + random.nextInt(256)
          + (random.nextBoolean() ? "" : "." + random.nextInt(256));
      case 3 -> List.of("kube-apiserver", "system:node:edge-1", "My Service", "spiffe://example.org/x", "*")
          .get(random.nextInt(5));
      case 4 -> randomDnsName(random) + ".";
      case 5 -> "*." + List.of("example.com", "evil.net", "a.example.com").get(random.nextInt(3));
      default -> randomLabel(random);
    };
  }

  private static String randomDnsName(Random random) {
    String parent = List.of("example.com", "evil.net", "example.com.evil.net", "badexample.com", "a.example.com")
        .get(random.nextInt(5));
    return random.nextInt(6) == 0 ? parent : randomLabel(random) + "." + parent;
  }

  private static String randomLabel(Random random) {
    String alphabet = "abcxyz019-";
    StringBuilder label = new StringBuilder("n");
    for (int n = random.nextInt(6); n > 0; n--) {
      label.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return label.append('z').toString();
  }

  /** The rule written independently of OneCA's code, for the names the property generates. */
  private static final class Oracle {
    static boolean commonNameAdmitted(String[] allow, String commonName, List<String> dnsSans) {
      String lower = commonName.toLowerCase(Locale.ROOT);
      if (dnsSans.contains(lower)) {
        return true;
      }
      if (allow.length == 0) {
        return true;
      }
      InetAddress ip = ipLiteral(commonName);
      if (ip != null) {
        return ipAdmits(allow, ip);
      }
      return isDnsName(lower) && admits(allow, lower);
    }

    static boolean admits(String[] allow, String dnsName) {
      if (allow.length == 0) {
        return true;
      }
      for (String pattern : allow) {
        if (pattern.equals("*.example.com") && (dnsName.equals("*.example.com") || (dnsName.endsWith(".example.com")
            && dnsName.indexOf('.') == dnsName.length() - ".example.com".length() && !dnsName.startsWith("*.")))) {
          return true;
        }
        if (pattern.equals(".example.com") && dnsName.endsWith(".example.com")) {
          return true;
        }
        if (pattern.equals("api.example.com") && dnsName.equals("api.example.com")) {
          return true;
        }
      }
      return false;
    }

    static boolean ipAdmits(String[] allow, InetAddress ip) {
      byte[] bytes = ip.getAddress();
      return List.of(allow).contains("10.0.0.0/8") && bytes.length == 4 && bytes[0] == 10;
    }

    static InetAddress ipLiteral(String value) {
      if (!value.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        return null;
      }
      try {
        return InetAddress.getByName(value);
      } catch (java.net.UnknownHostException e) {
        return null;
      }
    }

    static boolean isDnsName(String value) {
      String[] labels = value.split("\\.", -1);
      for (int i = 0; i < labels.length; i++) {
        boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 2;
        if (!wildcard && !labels[i].matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
          return false;
        }
      }
      return value.length() <= 253;
    }
  }
}
