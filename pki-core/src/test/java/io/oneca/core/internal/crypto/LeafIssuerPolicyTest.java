package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeafIssuerPolicyTest {
  private static final Duration TTL = Duration.ofHours(1);

  private final LeafIssuer issuer = new LeafIssuer(BC, RANDOM);

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "RSA_2048", "ED25519"})
  void issue_csrSignatureTampered_rejectedAsCsr(KeyAlgorithm algorithm) throws Exception {
    byte[] csr = TestPki.csr("CN=tampered", TestPki.keyPair(algorithm));
    csr[csr.length - 1] ^= 0x01;

    rejected(CertificateRequest.fromCsr(csr).build(), "csr").hasMessageContaining("signature");
  }

  @Test
  void issue_csrSignedByAnotherKey_rejectedAsCsr() throws Exception {
    byte[] honest = TestPki.csr("CN=a", TestPki.keyPair(KeyAlgorithm.EC_P256));
    byte[] other = TestPki.csr("CN=a", TestPki.ecKeyPair("secp256r1"));
    byte[] spliced = spliceSignature(honest, other);

    rejected(CertificateRequest.fromCsr(spliced).build(), "csr").hasMessageContaining("does not verify");
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "-----BEGIN CERTIFICATE REQUEST-----\n@@@\n-----END CERTIFICATE REQUEST-----\n",
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "-----BEGIN"})
  void issue_garbageCsr_rejectedAsCsr(String text) {
    rejected(CertificateRequest.fromCsr(text.getBytes(StandardCharsets.US_ASCII)).build(), "csr");
  }

  @Test
  void issue_randomBytesAndTruncatedCsr_rejectedAsCsrOnly() throws Exception {
    byte[] csr = TestPki.csr("CN=t", TestPki.keyPair(KeyAlgorithm.EC_P256));
    for (int length = 1; length < csr.length; length += 7) {
      byte[] truncated = java.util.Arrays.copyOf(csr, length);
      rejected(CertificateRequest.fromCsr(truncated).build(), "csr");
    }
    java.util.Random seeded = new java.util.Random(42);
    for (int i = 0; i < 50; i++) {
      byte[] noise = new byte[1 + seeded.nextInt(300)];
      seeded.nextBytes(noise);
      noise[0] = 0x30;
      rejected(CertificateRequest.fromCsr(noise).build(), "csr");
    }
  }

  @Test
  void issue_rsa1024_rejectedFromCsrAndPublicKey() throws Exception {
    KeyPair weak = TestPki.rsaKeyPair(1024);

    rejected(CertificateRequest.fromCsr(TestPki.csr("CN=weak", weak)).build(), "publicKey")
        .hasMessageContaining("2048");
    rejected(CertificateRequest.fromPublicKey(weak.getPublic()).commonName("weak").build(), "publicKey")
        .hasMessageContaining("1024");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secp521r1", "secp256k1", "secp224r1"})
  void issue_unsupportedCurve_rejectedNamingCurve(String curve) throws Exception {
    KeyPair key = TestPki.ecKeyPair(curve);

    rejected(CertificateRequest.fromPublicKey(key.getPublic()).commonName("c").build(), "publicKey")
        .hasMessageContaining(curve);
    rejected(CertificateRequest.fromCsr(TestPki.csr("CN=c", key)).build(), "publicKey");
  }

  @Test
  void issue_csrWithoutNamesOrCommonName_rejectedAsCommonName() throws Exception {
    byte[] csr = TestPki.csr("O=Nobody", TestPki.keyPair(KeyAlgorithm.EC_P256));

    rejected(CertificateRequest.fromCsr(csr).build(), "commonName");
  }

  @Test
  void issue_publicKeyWithOnlyIpName_rejectedAsCommonName() {
    rejected(CertificateRequest.fromPublicKey(TestPki.keyPair(KeyAlgorithm.EC_P256).getPublic())
        .ipAddress("10.0.0.1").build(), "commonName");
  }

  @Test
  void issue_csrRequestsEmailName_rejectedAsSubjectAltNames() throws Exception {
    byte[] csr = TestPki.csr("CN=mail", TestPki.keyPair(KeyAlgorithm.EC_P256),
        new GeneralName(GeneralName.dNSName, "ok.example.com"),
        new GeneralName(GeneralName.rfc822Name, "someone@example.com"));

    rejected(CertificateRequest.fromCsr(csr).build(), "subjectAltNames").hasMessageContaining("email");
  }

  @Test
  void issue_csrCommonNameTooLong_rejectedAsCommonName() throws Exception {
    X500Name subject = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String("x".repeat(65)))});
    byte[] csr = TestPki.csr(subject, TestPki.keyPair(KeyAlgorithm.EC_P256), null, null);

    rejected(CertificateRequest.fromCsr(csr).build(), "commonName").hasMessageContaining("64");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> rejected(CertificateRequest request, String field) {
    return assertThatThrownBy(() -> issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1, request, TTL, Instant.now()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  /** Returns {@code honest} with its signature replaced by {@code other}'s (same length encodings only). */
  private static byte[] spliceSignature(byte[] honest, byte[] other) throws Exception {
    var a = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(honest);
    var b = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(other);
    return new org.bouncycastle.asn1.pkcs.CertificationRequest(
        a.getCertificationRequestInfo(), a.getSignatureAlgorithm(), b.getSignature()).getEncoded();
  }
}
