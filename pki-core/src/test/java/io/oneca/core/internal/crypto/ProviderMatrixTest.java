package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CA generation, CSR verification and leaf signing with every signature provider available:
 * BouncyCastle always, Amazon Corretto Crypto Provider when healthy here (otherwise its cases are
 * skipped with the loading error as the reason). Chains must validate with the JDK's PKIX validator
 * and with {@code openssl verify}, and forged CSRs must be refused whichever provider verifies.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProviderMatrixTest {
  private static final Duration TTL = Duration.ofHours(1);
  private static final List<KeyAlgorithm> CA_ALGORITHMS =
      List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);
  private static final List<KeyAlgorithm> LEAF_ALGORITHMS =
      List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);

  @TempDir Path dir;

  static Stream<Arguments> providersAndCaAlgorithms() {
    return Stream.of("BouncyCastle", "Corretto")
        .flatMap(provider -> CA_ALGORITHMS.stream().map(ca -> Arguments.of(provider, ca)));
  }

  static Stream<Arguments> providersAndLeafAlgorithms() {
    return Stream.of("BouncyCastle", "Corretto")
        .flatMap(provider -> LEAF_ALGORITHMS.stream().map(leaf -> Arguments.of(provider, leaf)));
  }

  @ParameterizedTest(name = "{0}: CA {1}")
  @MethodSource("providersAndCaAlgorithms")
  void generateAndIssue_everyLeafKind_chainsValidateWithPkixAndOpenssl(String name, KeyAlgorithm caAlgorithm)
      throws Exception {
    Provider provider = provider(name);
    Instant now = Instant.now();
    CaMaterial ca = new CaGenerator(BC, provider, RANDOM).generate(
        new CaSpec("CN=Matrix " + name + " " + caAlgorithm, caAlgorithm, Duration.ofDays(30), 0), now);
    LeafIssuer issuer = new LeafIssuer(provider, RANDOM);
    TestPki.assertPkixValid(ca.chain(), now);

    for (KeyAlgorithm leafAlgorithm : LEAF_ALGORITHMS) {
      KeyPair leafKey = TestPki.keyPair(leafAlgorithm);
      byte[] csr = TestPki.csr("CN=web-" + leafAlgorithm, leafKey, new GeneralName(GeneralName.dNSName, "web.example.com"));

      IssuedCertificate issued = issuer.issue(ca, 1, CertificateRequest.fromCsr(csr).build(), TTL, now);

      assertThat(issued.certificate().getPublicKey().getEncoded()).isEqualTo(leafKey.getPublic().getEncoded());
      assertThat(issued.certificate().getSigAlgName()).isEqualToIgnoringCase(
          caAlgorithm.signatureAlgorithm().equals("Ed25519") ? "Ed25519" : caAlgorithm.signatureAlgorithm());
      issued.certificate().verify(ca.certificate().getPublicKey());
      TestPki.assertPkixValid(issued.chain(), now);
      TestPki.assertOpensslValid(issued.chain(), "sslserver", dir);
    }
  }

  @ParameterizedTest(name = "{0}: leaf {1}")
  @MethodSource("providersAndLeafAlgorithms")
  void issue_csrSignatureTampered_refused(String name, KeyAlgorithm leafAlgorithm) throws Exception {
    LeafIssuer issuer = new LeafIssuer(provider(name), RANDOM);
    byte[] csr = TestPki.csr("CN=tampered", TestPki.keyPair(leafAlgorithm));
    csr[csr.length - 1] ^= 0x01;

    assertThatThrownBy(() -> issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(csr).build(), TTL, Instant.now()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("csr")
        .hasMessageContaining("signature");
  }

  @ParameterizedTest(name = "{0}: leaf {1}")
  @MethodSource("providersAndLeafAlgorithms")
  void issue_csrSignedByAnotherKeyOfTheSameKind_refusedAsNotVerifying(String name, KeyAlgorithm leafAlgorithm)
      throws Exception {
    LeafIssuer issuer = new LeafIssuer(provider(name), RANDOM);
    KeyPair other = KeyPairs.generate(leafAlgorithm, BC, RANDOM);
    byte[] honest = TestPki.csr("CN=a", TestPki.keyPair(leafAlgorithm));
    byte[] forged = TestPki.csr("CN=a", other);
    byte[] spliced = spliceSignature(honest, forged);

    assertThatThrownBy(() -> issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(spliced).build(), TTL, Instant.now()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("does not verify");
  }

  @ParameterizedTest(name = "{0}: leaf {1}")
  @MethodSource("providersAndLeafAlgorithms")
  void verifyingProvider_chosenProviderVerifiesCommonCsrs_notSilentlyBouncyCastle(String name, KeyAlgorithm leafAlgorithm)
      throws Exception {
    Provider provider = provider(name);
    byte[] csr = TestPki.csr("CN=a", TestPki.keyPair(leafAlgorithm));

    Provider verifying = Csrs.verifyingProvider(Csrs.parse(csr), provider);

    if (leafAlgorithm == KeyAlgorithm.ED25519 && provider.getService("KeyFactory", "Ed25519") == null) {
      assertThat(verifying).isSameAs(BC);
    } else {
      assertThat(verifying).isSameAs(provider);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("providersAndCsrSignatureAlgorithms")
  void issue_csrSignedWithAnotherAlgorithm_verifiedAndIssued(String name, String signatureAlgorithm) throws Exception {
    LeafIssuer issuer = new LeafIssuer(provider(name), RANDOM);
    KeyPair key = TestPki.keyPair(signatureAlgorithm.contains("RSA") ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.EC_P256);
    byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=alg"), key.getPublic())
        .build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC).build(key.getPrivate())).getEncoded();
    byte[] tampered = csr.clone();
    tampered[tampered.length - 1] ^= 0x01;
    Instant now = Instant.now();

    IssuedCertificate issued = issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1, CertificateRequest.fromCsr(csr).build(), TTL, now);

    TestPki.assertPkixValid(issued.chain(), now);
    assertThatThrownBy(() -> issuer.issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromCsr(tampered).build(), TTL, now))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("signature");
  }

  static Stream<Arguments> providersAndCsrSignatureAlgorithms() {
    return Stream.of("BouncyCastle", "Corretto").flatMap(provider -> Stream.of(
        "SHA384withECDSA", "SHA512withECDSA", "SHA384withRSA", "SHA256withRSAandMGF1")
        .map(algorithm -> Arguments.of(provider, algorithm)));
  }

  private static Provider provider(String name) {
    if (name.equals("BouncyCastle")) {
      return BC;
    }
    SigningProviders.CorrettoStatus status = SigningProviders.corretto();
    Assumptions.assumeTrue(status.available().isPresent(),
        () -> "Amazon Corretto Crypto Provider unavailable here: " + status.unavailableReason());
    return status.available().get();
  }

  /** The honest CSR's request info and algorithm with another CSR's signature. */
  private static byte[] spliceSignature(byte[] honest, byte[] other) throws Exception {
    var a = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(honest);
    var b = org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(other);
    return new org.bouncycastle.asn1.pkcs.CertificationRequest(
        a.getCertificationRequestInfo(), a.getSignatureAlgorithm(), b.getSignature()).getEncoded();
  }
}
