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
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per rule of {@link IssuancePolicy}, through {@link LeafIssuer}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IssuancePolicyEnforcementTest {
  private static final Duration TTL = Duration.ofHours(1);

  private static IssuedCertificate issue(IssuancePolicy policy, CertificateRequest request) {
    return new LeafIssuer(BC, RANDOM, policy).issue(TestPki.ca(KeyAlgorithm.EC_P256), 1, request, TTL, Instant.now());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejected(
      IssuancePolicy policy, CertificateRequest request, String field) {
    return assertThatThrownBy(() -> issue(policy, request))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  private static CertificateRequest.Builder key(KeyAlgorithm algorithm) {
    return unnamed(algorithm).commonName("leaf");
  }

  /** Without a common name: it is then taken from the first DNS name or URI (and must obey the policy too). */
  private static CertificateRequest.Builder unnamed(KeyAlgorithm algorithm) {
    return CertificateRequest.fromPublicKey(TestPki.keyPair(algorithm).getPublic());
  }

  @Test
  void defaults_acceptEveryRecommendedKey() {
    for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519)) {
      assertThat(issue(IssuancePolicy.defaults(), key(algorithm).build())).isNotNull();
    }
  }

  @Test
  void minimumRsaBits_raised_rejectsSmallerRsa() throws Exception {
    IssuancePolicy policy = IssuancePolicy.builder().minimumRsaBits(3072).build();
    rejected(policy, key(KeyAlgorithm.RSA_2048).build(), "publicKey").hasMessageContaining("at least 3072");
    assertThat(issue(policy, CertificateRequest.fromPublicKey(TestPki.rsaKeyPair(3072).getPublic()).commonName("x").build()))
        .isNotNull();
  }

  @Test
  void rsaBelow2048_rejectedByDefault() throws Exception {
    rejected(IssuancePolicy.defaults(),
        CertificateRequest.fromPublicKey(TestPki.rsaKeyPair(1024).getPublic()).commonName("x").build(), "publicKey");
    assertThatThrownBy(() -> IssuancePolicy.builder().minimumRsaBits(1024)).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void curvesAndAlgorithms_restricted_rejectOthers() throws Exception {
    IssuancePolicy p256Only = IssuancePolicy.builder().ecCurves("P-256").ed25519Allowed(false).rsaAllowed(false).build();
    assertThat(issue(p256Only, key(KeyAlgorithm.EC_P256).build())).isNotNull();
    rejected(p256Only, key(KeyAlgorithm.EC_P384).build(), "publicKey").hasMessageContaining("P-384");
    rejected(p256Only, key(KeyAlgorithm.ED25519).build(), "publicKey").hasMessageContaining("Ed25519");
    rejected(p256Only, key(KeyAlgorithm.RSA_2048).build(), "publicKey").hasMessageContaining("RSA");
    rejected(IssuancePolicy.defaults(),
        CertificateRequest.fromPublicKey(TestPki.ecKeyPair("secp521r1").getPublic()).commonName("x").build(), "publicKey");
    assertThatThrownBy(() -> IssuancePolicy.builder().ecCurves("P-521")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> IssuancePolicy.builder().ecCurves().rsaAllowed(false).ed25519Allowed(false).build())
        .isInstanceOf(InvalidRequestException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "api.example.com, api.example.com, true",
    "api.example.com, www.example.com, false",
    "*.example.com, a.example.com, true",
    "*.example.com, *.example.com, true",
    "*.example.com, a.b.example.com, false",
    "*.example.com, example.com, false",
    ".example.com, a.b.example.com, true",
    ".example.com, *.b.example.com, true",
    ".example.com, example.com, false",
    ".example.com, badexample.com, false",
  })
  void dnsAllowList_patterns(String pattern, String name, boolean allowed) {
    IssuancePolicy policy = IssuancePolicy.builder().allowedDnsNames(pattern).build();
    CertificateRequest request = unnamed(KeyAlgorithm.EC_P256).dnsName(name).build();
    if (allowed) {
      assertThat(issue(policy, request)).isNotNull();
    } else {
      rejected(policy, request, "subjectAltNames").hasMessageContaining(name);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.255.1.2, true",
    "10.0.0.0/8, 11.0.0.1, false",
    "192.168.1.7, 192.168.1.7, true",
    "192.168.1.7, 192.168.1.8, false",
    "fd00::/8, fd12::1, true",
    "fd00::/8, fe80::1, false",
    "10.0.0.0/8, ::ffff:0a00:0001, true",
  })
  void ipAllowList_cidrs(String range, String address, boolean allowed) {
    IssuancePolicy policy = IssuancePolicy.builder().allowedIpRanges(range).build();
    CertificateRequest request = unnamed(KeyAlgorithm.EC_P256).commonName(address).ipAddress(address).build();
    if (allowed) {
      assertThat(issue(policy, request)).isNotNull();
    } else {
      rejected(policy, request, "subjectAltNames");
    }
  }

  @Test
  void uriAllowList_prefixes() {
    IssuancePolicy policy = IssuancePolicy.builder().allowedUriPrefixes("spiffe://example.org/edge/").build();
    assertThat(issue(policy, unnamed(KeyAlgorithm.EC_P256).uri("spiffe://example.org/edge/node-1").build())).isNotNull();
    rejected(policy, unnamed(KeyAlgorithm.EC_P256).uri("spiffe://example.org/admin").build(), "subjectAltNames");
    IssuancePolicy schemeOnly = IssuancePolicy.builder().allowedUriPrefixes("spiffe://").build();
    assertThat(issue(schemeOnly, unnamed(KeyAlgorithm.EC_P256).uri("spiffe://any.org/x").build())).isNotNull();
    rejected(schemeOnly, unnamed(KeyAlgorithm.EC_P256).uri("https://any.org/x").build(), "subjectAltNames");
  }

  @Test
  void allowList_active_kindWithoutEntriesRefused() {
    IssuancePolicy policy = IssuancePolicy.builder().allowedDnsNames(".example.com").build();
    rejected(policy, key(KeyAlgorithm.EC_P256).dnsName("a.example.com").ipAddress("10.0.0.1").build(), "subjectAltNames")
        .hasMessageContaining("10.0.0.1");
  }

  @Test
  void allowList_appliesToNamesTakenFromTheCsr() throws Exception {
    IssuancePolicy policy = IssuancePolicy.builder().allowedDnsNames(".example.com").build();
    byte[] csr = TestPki.csr("CN=x", TestPki.keyPair(KeyAlgorithm.EC_P256), new GeneralName(GeneralName.dNSName, "x.evil.net"));
    rejected(policy, CertificateRequest.fromCsr(csr).build(), "subjectAltNames").hasMessageContaining("x.evil.net");
  }

  @Test
  void allowList_malformedEntries_rejectedWhenConfigured() {
    assertThatThrownBy(() -> IssuancePolicy.builder().allowedDnsNames("*.*.example.com")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> IssuancePolicy.builder().allowedIpRanges("10.0.0.0/33")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> IssuancePolicy.builder().allowedIpRanges("example.com")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> IssuancePolicy.builder().allowedUriPrefixes("relative/path")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void tooManySubjectAltNames_rejected() {
    IssuancePolicy policy = IssuancePolicy.builder().maxSubjectAltNames(2).build();
    rejected(policy, key(KeyAlgorithm.EC_P256).dnsName("a.example.com").dnsName("b.example.com").dnsName("c.example.com").build(),
        "subjectAltNames").hasMessageContaining("at most 2");
  }

  @Test
  void csrRequestingCa_rejectedAsBasicConstraints() throws Exception {
    ExtensionsGenerator extra = new ExtensionsGenerator();
    extra.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    byte[] csr = TestPki.csr("CN=wannabe-ca", TestPki.keyPair(KeyAlgorithm.EC_P256), null, extra);
    rejected(IssuancePolicy.defaults(), CertificateRequest.fromCsr(csr).build(), "basicConstraints").hasMessageContaining("CA:true");
  }

  @Test
  void csrRequestingCaFalse_accepted() throws Exception {
    ExtensionsGenerator extra = new ExtensionsGenerator();
    extra.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    byte[] csr = TestPki.csr("CN=leaf", TestPki.keyPair(KeyAlgorithm.EC_P256), null, extra);
    assertThat(issue(IssuancePolicy.defaults(), CertificateRequest.fromCsr(csr).build())).isNotNull();
  }

  @Test
  void csrRequestingKeyCertSign_rejectedAsKeyUsage() throws Exception {
    ExtensionsGenerator extra = new ExtensionsGenerator();
    extra.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
    byte[] csr = TestPki.csr("CN=signer", TestPki.keyPair(KeyAlgorithm.EC_P256), null, extra);
    rejected(IssuancePolicy.defaults(), CertificateRequest.fromCsr(csr).build(), "keyUsage");
  }

  @Test
  void csrWithDuplicateExtension_rejected() throws Exception {
    ExtensionsGenerator extra = new ExtensionsGenerator();
    extra.addExtension(new Extension(Extension.subjectAlternativeName, false,
        new DEROctetString(new GeneralNames(new GeneralName(GeneralName.dNSName, "a.example.com")))));
    // ExtensionsGenerator refuses duplicates; build the repeated SEQUENCE by hand.
    org.bouncycastle.asn1.ASN1EncodableVector twice = new org.bouncycastle.asn1.ASN1EncodableVector();
    Extension san = extra.generate().getExtension(Extension.subjectAlternativeName);
    twice.add(san);
    twice.add(san);
    byte[] csr = TestPki.csrWithRawExtensionRequest("CN=dup", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new org.bouncycastle.asn1.DERSequence(twice));
    rejected(IssuancePolicy.defaults(), CertificateRequest.fromCsr(csr).build(), "csr.extensions").hasMessageContaining("twice");
  }

  @Test
  void csrWithTooManyOrOversizedExtensions_rejected() throws Exception {
    ExtensionsGenerator many = new ExtensionsGenerator();
    for (int i = 0; i < 3; i++) {
      many.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.99999." + i), false, new DEROctetString(new byte[8]));
    }
    byte[] csr = TestPki.csr("CN=many", TestPki.keyPair(KeyAlgorithm.EC_P256), null, many);
    rejected(IssuancePolicy.builder().maxCsrExtensions(2).build(), CertificateRequest.fromCsr(csr).build(), "csr.extensions")
        .hasMessageContaining("at most 2");

    ExtensionsGenerator big = new ExtensionsGenerator();
    big.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, new DEROctetString(new byte[2000]));
    byte[] bigCsr = TestPki.csr("CN=big", TestPki.keyPair(KeyAlgorithm.EC_P256), null, big);
    rejected(IssuancePolicy.builder().maxExtensionBytes(1000).build(), CertificateRequest.fromCsr(bigCsr).build(), "csr.extensions")
        .hasMessageContaining("bytes");
  }

  @Test
  void oversizedCsr_rejectedBeforeParsing() {
    byte[] huge = new byte[40_000];
    rejected(IssuancePolicy.defaults(), CertificateRequest.fromCsr(huge).build(), "csr").hasMessageContaining("at most 32768");
  }

  @Test
  void caNameConstraints_leafOutsideRejectedInsideValidatesWithPkix() throws Exception {
    CaMaterial constrained = new CaGenerator(BC, RANDOM).generate(
        new CaSpec("CN=constrained", KeyAlgorithm.EC_P256, Duration.ofDays(1), 0), Instant.now(), List.of("example.com"));
    LeafIssuer issuer = new LeafIssuer(BC, RANDOM, IssuancePolicy.defaults());
    KeyPair leafKey = TestPki.keyPair(KeyAlgorithm.EC_P256);

    IssuedCertificate inside = issuer.issue(constrained, 1,
        CertificateRequest.fromPublicKey(leafKey.getPublic()).dnsName("a.example.com").build(), TTL, Instant.now());
    TestPki.assertPkixValid(inside.chain(), Instant.now());
    assertThat(constrained.certificate().getCriticalExtensionOIDs()).contains(Extension.nameConstraints.getId());
    assertThatThrownBy(() -> issuer.issue(constrained, 1,
        CertificateRequest.fromPublicKey(leafKey.getPublic()).dnsName("a.example.net").build(), TTL, Instant.now()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("subjectAltNames"))
        .hasMessageContaining("name constraints");
    assertThatThrownBy(() -> NameConstraintsSupport.validate(List.of("*.example.com"))).isInstanceOf(InvalidRequestException.class);
  }
}
