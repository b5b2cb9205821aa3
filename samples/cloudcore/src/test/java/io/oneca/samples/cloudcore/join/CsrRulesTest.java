package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CsrRulesTest {
  private static final String NODE = "edge-1";
  private final CsrRules rules = CsrRules.defaults();

  @Test
  void check_wellFormedP256_returnsItsDer() throws Exception {
    PKCS10CertificationRequest csr = TestCsrs.forNode(NODE).build();

    assertThat(rules.check(TestCsrs.toPem(csr), NODE)).isEqualTo(csr.getEncoded());
  }

  @Test
  void check_everyAllowedKeyType_accepted() {
    assertThat(rules.check(TestCsrs.forNode(NODE).keys(TestCsrs.ec("secp384r1"), "SHA384withECDSA").pem(), NODE)).isNotEmpty();
    assertThat(rules.check(TestCsrs.forNode(NODE).keys(TestCsrs.rsa(2048), "SHA256withRSA").pem(), NODE)).isNotEmpty();
    assertThat(rules.check(TestCsrs.forNode(NODE).keys(TestCsrs.ed25519(), "Ed25519").pem(), NODE)).isNotEmpty();
  }

  @Test
  void check_noSubjectAltName_accepted() {
    assertThat(rules.check(TestCsrs.forNode(NODE).noNames().pem(), NODE)).isNotEmpty();
  }

  @Test
  void check_rsa1024_keyNotAllowed() {
    expect(TestCsrs.forNode(NODE).keys(TestCsrs.rsa(1024), "SHA256withRSA").pem(), JoinError.CSR_KEY_NOT_ALLOWED);
  }

  @Test
  void check_curveP521_keyNotAllowed() {
    expect(TestCsrs.forNode(NODE).keys(TestCsrs.ec("secp521r1"), "SHA512withECDSA").pem(), JoinError.CSR_KEY_NOT_ALLOWED);
  }

  @Test
  void check_signedWithAnotherKey_signatureInvalid() {
    String pem = TestCsrs.forNode(NODE).signedBy(TestCsrs.ec("secp256r1")).pem();

    expect(pem, JoinError.CSR_SIGNATURE_INVALID);
  }

  @Test
  void check_sha1Signature_signatureInvalid() {
    KeyPair rsa = TestCsrs.rsa(2048);

    expect(TestCsrs.forNode(NODE).keys(rsa, "SHA1withRSA").pem(), JoinError.CSR_SIGNATURE_INVALID);
  }

  @Test
  void check_commonNameOfAnotherNode_nodeMismatch() {
    expect(TestCsrs.forNode("edge-2").pem(), JoinError.CSR_NODE_MISMATCH);
  }

  @Test
  void check_noOrTwoCommonNames_subjectInvalid() {
    expect(TestCsrs.forNode(NODE).subject("O=acme").pem(), JoinError.CSR_SUBJECT_INVALID);
    expect(TestCsrs.forNode(NODE).subject("CN=edge-1,CN=edge-2").pem(), JoinError.CSR_SUBJECT_INVALID);
  }

  @Test
  void check_extraDnsName_nameNotAllowed() {
    expect(TestCsrs.forNode(NODE).dnsName("kube-apiserver").pem(), JoinError.CSR_NAME_NOT_ALLOWED);
  }

  @Test
  void check_ipAddressName_nameNotAllowed() {
    expect(TestCsrs.forNode(NODE).ipAddress("10.0.0.1").pem(), JoinError.CSR_NAME_NOT_ALLOWED);
  }

  @Test
  void check_basicConstraintsCaTrue_requestsCa() {
    expect(TestCsrs.forNode(NODE).ca().pem(), JoinError.CSR_REQUESTS_CA);
  }

  @Test
  void check_keyCertSignOrCrlSign_keyUsageNotAllowed() {
    expect(TestCsrs.forNode(NODE).keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).pem(),
        JoinError.CSR_KEY_USAGE_NOT_ALLOWED);
    expect(TestCsrs.forNode(NODE).keyUsage(KeyUsage.cRLSign).pem(), JoinError.CSR_KEY_USAGE_NOT_ALLOWED);
  }

  @Test
  void check_digitalSignatureKeyUsage_accepted() {
    assertThat(rules.check(TestCsrs.forNode(NODE).keyUsage(KeyUsage.digitalSignature).pem(), NODE)).isNotEmpty();
  }

  @Test
  void check_garbage_malformed() {
    expect("not a csr", JoinError.CSR_MALFORMED);
    expect("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", JoinError.CSR_MALFORMED);
    expect("-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(new byte[] {1, 2, 3})
        + "\n-----END CERTIFICATE-----\n", JoinError.CSR_MALFORMED);
  }

  @Test
  void check_twoPemBlocks_malformed() {
    String pem = TestCsrs.forNode(NODE).pem();

    expect(pem + pem, JoinError.CSR_MALFORMED);
  }

  @Test
  void check_trailingBytesAfterDer_malformed() throws Exception {
    byte[] der = TestCsrs.forNode(NODE).build().getEncoded();
    byte[] padded = java.util.Arrays.copyOf(der, der.length + 2);
    String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(padded)
        + "\n-----END CERTIFICATE REQUEST-----\n";

    expect(pem, JoinError.CSR_MALFORMED);
  }

  private void expect(String pem, JoinError error) {
    assertThatThrownBy(() -> rules.check(pem, NODE))
        .isInstanceOfSatisfying(JoinRejection.class, r -> assertThat(r.error()).isEqualTo(error))
        .hasMessageNotContaining("BEGIN");
  }
}
