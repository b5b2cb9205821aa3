package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeafIssuerTest {
  private static final Duration DEFAULT_TTL = Duration.ofHours(24);
  private static final List<KeyAlgorithm> ALGORITHMS =
      List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);

  private final LeafIssuer issuer = new LeafIssuer(BC, RANDOM);

  @TempDir Path dir;

  static Stream<Arguments> caAndLeafAlgorithms() {
    return ALGORITHMS.stream().flatMap(ca -> ALGORITHMS.stream().map(leaf -> Arguments.of(ca, leaf)));
  }

  @ParameterizedTest(name = "CA {0}, leaf {1}")
  @MethodSource("caAndLeafAlgorithms")
  void issue_fromCsr_chainValidatesWithPkixAndOpenssl(KeyAlgorithm caAlgorithm, KeyAlgorithm leafAlgorithm)
      throws Exception {
    CaMaterial ca = TestPki.ca(caAlgorithm);
    KeyPair leafKey = TestPki.keyPair(leafAlgorithm);
    Instant now = Instant.now();
    byte[] csr = TestPki.csr("CN=web,O=Ignored", leafKey,
        new GeneralName(GeneralName.dNSName, "web.example.com"),
        new GeneralName(GeneralName.iPAddress, "10.1.2.3"),
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/web"));

    IssuedCertificate issued = issuer.issue(ca, 7, CertificateRequest.fromCsr(csr).build(), DEFAULT_TTL, now);

    X509Certificate leaf = issued.certificate();
    assertThat(issued.chain()).hasSize(2).endsWith(ca.certificate());
    assertThat(issued.caFingerprint()).isEqualTo(ca.fingerprint());
    assertThat(issued.caVersion()).isEqualTo(7);
    assertThat(leaf.getClass().getName()).doesNotContain("bouncycastle");
    assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(leafKey.getPublic().getEncoded());
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=web");
    assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
        List.of(2, "web.example.com"), List.of(7, "10.1.2.3"), List.of(6, "spiffe://example.org/web"));
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    TestPki.assertPkixValid(issued.chain(), now);
    TestPki.assertOpensslValid(issued.chain(), "sslserver", dir);
  }

  @ParameterizedTest(name = "CA {0}, leaf {1}")
  @MethodSource("caAndLeafAlgorithms")
  void issue_fromPublicKey_chainValidatesWithPkixAndOpenssl(KeyAlgorithm caAlgorithm, KeyAlgorithm leafAlgorithm)
      throws Exception {
    CaMaterial ca = TestPki.ca(caAlgorithm);
    KeyPair leafKey = TestPki.keyPair(leafAlgorithm);
    Instant now = Instant.now();
    CertificateRequest request = CertificateRequest.fromPublicKey(leafKey.getPublic())
        .commonName("client-1").uri("spiffe://example.org/edge/node-1").profile(CertificateProfile.CLIENT).build();

    IssuedCertificate issued = issuer.issue(ca, 1, request, DEFAULT_TTL, now);

    assertThat(issued.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(issued.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=client-1");
    TestPki.assertPkixValid(issued.chain(), now);
    TestPki.assertOpensslValid(issued.chain(), "sslclient", dir);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "RSA_2048", "ED25519"})
  void issue_leafExtensions_fixedByPolicy(KeyAlgorithm leafAlgorithm) throws Exception {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    KeyPair leafKey = TestPki.keyPair(leafAlgorithm);

    X509Certificate leaf = issuer.issue(ca, 1, CertificateRequest.fromPublicKey(leafKey.getPublic())
        .dnsName("a.example.com").build(), DEFAULT_TTL, Instant.now()).certificate();

    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs())
        .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(leaf.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.extendedKeyUsage.getId(), Extension.subjectAlternativeName.getId(),
        Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId());
    boolean rsa = leafAlgorithm == KeyAlgorithm.RSA_2048;
    assertThat(leaf.getKeyUsage()).startsWith(true, false, rsa, false, false, false, false);
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
    byte[] caSki = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        ca.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
    byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets()).getKeyIdentifierObject().getOctets();
    assertThat(aki).isEqualTo(caSki);
    assertThat(leaf.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
  }

  @Test
  void issue_serverAndClientProfile_bothPurposesAcceptedByOpenssl() throws Exception {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Instant now = Instant.now();

    IssuedCertificate issued = issuer.issue(ca, 1, CertificateRequest.fromPublicKey(
        TestPki.keyPair(KeyAlgorithm.EC_P256).getPublic()).dnsName("peer.example.com").ipAddress("::1")
        .profile(CertificateProfile.SERVER_AND_CLIENT).build(), DEFAULT_TTL, now);

    assertThat(issued.certificate().getExtendedKeyUsage())
        .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(issued.certificate().getSubjectAlternativeNames())
        .contains(List.of(7, "0:0:0:0:0:0:0:1"));
    TestPki.assertOpensslValid(issued.chain(), "sslserver", dir);
    TestPki.assertOpensslValid(issued.chain(), "sslclient", dir);
  }

  @Test
  void issue_noTtl_defaultTtlAppliedAndBackdatedOneMinute() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Instant now = Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS).plusMillis(500);

    IssuedCertificate issued = issuer.issue(ca, 1, request("svc"), DEFAULT_TTL, now);

    assertThat(issued.notBefore()).isEqualTo(now.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS));
    assertThat(issued.notAfter()).isEqualTo(now.plus(DEFAULT_TTL).truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void issue_requestedTtl_usedInsteadOfDefault() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CertificateRequest request = CertificateRequest.fromPublicKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPublic())
        .commonName("svc").ttl(Duration.ofMinutes(90)).build();

    assertThat(issuer.issue(ca, 1, request, DEFAULT_TTL, now).notAfter()).isEqualTo(now.plus(Duration.ofMinutes(90)));
  }

  @Test
  void issue_ttlBeyondCaExpiry_cappedAtCaNotAfter() {
    Instant caCreated = Instant.parse("2031-01-01T00:00:00Z");
    CaMaterial ca = new CaGenerator(BC, RANDOM).generate(
        new CaSpec("CN=Short", KeyAlgorithm.EC_P256, Duration.ofDays(2), 0), caCreated);
    CertificateRequest request = CertificateRequest.fromPublicKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPublic())
        .commonName("svc").ttl(Duration.ofDays(30)).build();

    IssuedCertificate issued = issuer.issue(ca, 1, request, DEFAULT_TTL, caCreated.plus(Duration.ofDays(1)));

    assertThat(issued.notAfter()).isEqualTo(ca.certificate().getNotAfter().toInstant());
  }

  @Test
  void issue_nowBeforeCaNotBeforePlusBackdate_notBeforeIsCaNotBefore() {
    Instant caCreated = Instant.parse("2031-01-01T00:00:00Z");
    CaMaterial ca = new CaGenerator(BC, RANDOM).generate(
        new CaSpec("CN=Skew", KeyAlgorithm.EC_P256, Duration.ofDays(2), 0), caCreated);

    IssuedCertificate issued = issuer.issue(ca, 1, request("svc"), DEFAULT_TTL, caCreated.minusSeconds(30));

    assertThat(issued.notBefore()).isEqualTo(ca.certificate().getNotBefore().toInstant());
  }

  @Test
  void issue_caExpired_illegalStateNamingFingerprint() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Instant afterExpiry = ca.certificate().getNotAfter().toInstant().plusSeconds(1);

    assertThatThrownBy(() -> issuer.issue(ca, 1, request("svc"), DEFAULT_TTL, afterExpiry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(ca.fingerprint().toString())
        .hasMessageContaining("expired");
  }

  @Test
  void issue_manyLeaves_serialsDistinctPositiveAtMost128Bits() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Set<BigInteger> serials = new HashSet<>();

    for (int i = 0; i < 200; i++) {
      BigInteger serial = issuer.issue(ca, 1, request("svc-" + i), DEFAULT_TTL, Instant.now()).serialNumber();
      assertThat(serial.signum()).isPositive();
      assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
      serials.add(serial);
    }

    assertThat(serials).hasSize(200);
    assertThat(serials.stream().mapToInt(BigInteger::bitLength).max().orElseThrow()).isGreaterThan(120);
  }

  @Test
  void issue_csrWithoutRequestNames_usesCsrCommonNameAndNames() throws Exception {
    byte[] csr = TestPki.csr("CN=from-csr", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new GeneralName(GeneralName.dNSName, "csr.example.com"));

    X509Certificate leaf = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(csr).build(), DEFAULT_TTL, Instant.now()).certificate();

    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=from-csr");
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "csr.example.com"));
  }

  @Test
  void issue_requestNamesAndCommonName_overrideTheCsrs() throws Exception {
    byte[] csr = TestPki.csr("CN=from-csr", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new GeneralName(GeneralName.rfc822Name, "ignored@example.com"));

    X509Certificate leaf = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(csr).commonName("chosen").dnsName("chosen.example.com").build(),
        DEFAULT_TTL, Instant.now()).certificate();

    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=chosen");
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "chosen.example.com"));
  }

  @Test
  void issue_noCommonName_fallsBackToFirstDnsThenFirstUri() throws Exception {
    KeyPair key = TestPki.keyPair(KeyAlgorithm.EC_P256);
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    byte[] csrWithDns = TestPki.csr("O=No CN", key,
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/a"),
        new GeneralName(GeneralName.dNSName, "first.example.com"),
        new GeneralName(GeneralName.dNSName, "second.example.com"));

    X509Certificate fromDns = issuer.issue(ca, 1, CertificateRequest.fromCsr(csrWithDns).build(),
        DEFAULT_TTL, Instant.now()).certificate();
    X509Certificate fromUri = issuer.issue(ca, 1, CertificateRequest.fromPublicKey(key.getPublic())
        .ipAddress("10.0.0.1").uri("spiffe://example.org/b").build(), DEFAULT_TTL, Instant.now()).certificate();

    assertThat(fromDns.getSubjectX500Principal().getName()).isEqualTo("CN=first.example.com");
    assertThat(fromUri.getSubjectX500Principal().getName()).isEqualTo("CN=spiffe://example.org/b");
  }

  @Test
  void issue_pemCsr_accepted() throws Exception {
    byte[] der = TestPki.csr("CN=pem", TestPki.keyPair(KeyAlgorithm.EC_P384));
    byte[] pem = ("\n" + Pem.encode("CERTIFICATE REQUEST", der)).getBytes(StandardCharsets.US_ASCII);

    IssuedCertificate issued = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P384), 1,
        CertificateRequest.fromCsr(pem).build(), DEFAULT_TTL, Instant.now());

    assertThat(issued.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=pem");
  }

  @Test
  void issue_csrAskingForExtraUsages_extensionsIgnored() throws Exception {
    // Asking to be a CA is refused outright (IssuancePolicyEnforcementTest); other wishes are ignored.
    ExtensionsGenerator extra = new ExtensionsGenerator();
    extra.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    extra.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.dataEncipherment | KeyUsage.keyAgreement));
    byte[] csr = TestPki.csr("CN=sneaky", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new GeneralNames(new GeneralName(GeneralName.dNSName, "sneaky.example.com")), extra);

    X509Certificate leaf = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(csr).build(), DEFAULT_TTL, Instant.now()).certificate();

    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()).startsWith(true, false, false, false, false, false, false);
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "sneaky.example.com"));
  }

  @Test
  void issue_commonNameWithDnSyntax_takenLiterally() {
    X509Certificate leaf = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1, request("#616263, O=x+y"),
        DEFAULT_TTL, Instant.now()).certificate();

    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=\\#616263\\, O\\=x\\+y");
  }

  private static CertificateRequest request(String commonName) {
    return CertificateRequest.fromPublicKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPublic())
        .commonName(commonName).build();
  }
}
