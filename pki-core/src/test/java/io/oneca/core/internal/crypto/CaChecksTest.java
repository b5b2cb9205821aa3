package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CertificateRequest;
import io.oneca.api.KeyAlgorithm;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaChecksTest {
  private static final Instant CREATED = Instant.parse("2032-03-01T12:00:00Z");

  private static CaMaterial generate(String dn, KeyAlgorithm algorithm) {
    return new CaGenerator(BC, RANDOM).generate(new CaSpec(dn, algorithm, Duration.ofDays(30), 0), CREATED);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void problems_validMaterial_none(KeyAlgorithm algorithm) {
    assertThat(CaChecks.problems(TestPki.ca(algorithm), Instant.now(), BC)).isEmpty();
  }

  @Test
  void problems_keyOfAnotherCa_reportsMismatch() {
    CaMaterial ca = generate("CN=Owner", KeyAlgorithm.EC_P256);
    CaMaterial other = generate("CN=Other", KeyAlgorithm.EC_P256);

    List<String> problems = CaChecks.problems(
        new CaMaterial(ca.chain(), other.privateKey(), KeyAlgorithm.EC_P256), CREATED, BC);

    assertThat(problems).singleElement().asString()
        .contains("private key does not match", "CN=Owner", ca.fingerprint().shortForm());
  }

  @Test
  void problems_keyOfAnotherAlgorithm_reportsMismatch() {
    CaMaterial ca = generate("CN=Owner", KeyAlgorithm.EC_P256);

    List<String> problems = CaChecks.problems(new CaMaterial(
        ca.chain(), TestPki.keyPair(KeyAlgorithm.RSA_2048).getPrivate(), KeyAlgorithm.EC_P256), CREATED, BC);

    assertThat(problems).singleElement().asString().contains("private key does not match");
  }

  @Test
  void problems_declaredAlgorithmWrong_reported() {
    CaMaterial ca = generate("CN=Declared", KeyAlgorithm.EC_P256);

    List<String> problems = CaChecks.problems(
        new CaMaterial(ca.chain(), ca.privateKey(), KeyAlgorithm.EC_P384), CREATED, BC);

    assertThat(problems).singleElement().asString().contains("EC_P256 key", "declared as EC_P384");
  }

  @Test
  void problems_afterNotAfter_reportsExpired() {
    CaMaterial ca = generate("CN=Old", KeyAlgorithm.EC_P256);
    Instant later = CREATED.plus(Duration.ofDays(31));

    assertThat(CaChecks.problems(ca, later, BC)).singleElement().asString()
        .contains("CN=Old", "expired at " + ca.certificate().getNotAfter().toInstant());
  }

  @Test
  void problems_beforeNotBefore_reportsNotYetValid() {
    CaMaterial ca = generate("CN=Future", KeyAlgorithm.EC_P256);

    assertThat(CaChecks.problems(ca, CREATED.minus(Duration.ofHours(1)), BC)).singleElement().asString()
        .contains("not valid before");
  }

  @Test
  void problems_leafCertificate_reportsNotACaAndNoKeyCertSign() {
    KeyPair leafKey = TestPki.keyPair(KeyAlgorithm.EC_P256);
    X509Certificate leaf = new LeafIssuer(BC, RANDOM).issue(TestPki.ca(KeyAlgorithm.EC_P256), 1,
        CertificateRequest.fromPublicKey(leafKey.getPublic()).commonName("leaf").build(),
        Duration.ofDays(1), Instant.now()).certificate();

    List<String> problems = CaChecks.problems(
        new CaMaterial(List.of(leaf), leafKey.getPrivate(), KeyAlgorithm.EC_P256), Instant.now(), BC);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).contains("CN=leaf", "is not a CA");
    assertThat(problems.get(1)).contains("keyCertSign");
  }

  @Test
  void problems_chainNotSignedByNext_reportsLink() {
    CaMaterial first = generate("CN=Same Name", KeyAlgorithm.EC_P256);
    CaMaterial second = generate("CN=Same Name", KeyAlgorithm.EC_P256);
    CaMaterial unrelated = generate("CN=Unrelated", KeyAlgorithm.EC_P256);

    List<String> wrongSigner = CaChecks.problems(new CaMaterial(
        List.of(first.certificate(), second.certificate()), first.privateKey(), KeyAlgorithm.EC_P256), CREATED, BC);
    List<String> wrongIssuer = CaChecks.problems(new CaMaterial(
        List.of(first.certificate(), unrelated.certificate()), first.privateKey(), KeyAlgorithm.EC_P256), CREATED, BC);

    assertThat(wrongSigner).singleElement().asString().contains("chain certificate 0", "not signed by the next");
    assertThat(wrongIssuer).singleElement().asString().contains("chain certificate 0", "is issued by 'CN=Same Name'");
  }
}
