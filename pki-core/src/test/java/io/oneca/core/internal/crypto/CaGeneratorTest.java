package io.oneca.core.internal.crypto;

import static io.oneca.core.internal.crypto.TestPki.BC;
import static io.oneca.core.internal.crypto.TestPki.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaGeneratorTest {
  private static final Instant NOW = Instant.parse("2030-05-17T10:15:30.750Z");

  private final CaGenerator generator = new CaGenerator(BC, RANDOM);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void generate_everyAlgorithm_hasCaExtensionsValiditySerialAndValidSelfSignature(KeyAlgorithm algorithm)
      throws Exception {
    CaMaterial ca = generator.generate(
        new CaSpec("CN=OneCA Root,O=Example", algorithm, Duration.ofDays(365), 1), NOW);

    X509Certificate cert = ca.certificate();
    assertThat(ca.chain()).containsExactly(cert);
    assertThat(ca.keyAlgorithm()).isEqualTo(algorithm);
    assertThat(cert.getClass().getName()).doesNotContain("bouncycastle");
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=OneCA Root,O=Example");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    cert.verify(cert.getPublicKey());
    assertThat(cert.getSigAlgName()).isEqualToIgnoringCase(algorithm.signatureAlgorithm());
    assertThat(PemKeys.algorithmOf(cert.getPublicKey())).isEqualTo(algorithm);

    assertThat(cert.getCriticalExtensionOIDs())
        .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(cert.getBasicConstraints()).isEqualTo(1);
    boolean[] keyUsage = cert.getKeyUsage();
    assertThat(keyUsage[0]).as("digitalSignature").isTrue();
    assertThat(keyUsage[5]).as("keyCertSign").isTrue();
    assertThat(keyUsage[6]).as("cRLSign").isTrue();
    assertThat(keyUsage[2]).as("keyEncipherment").isFalse();
    byte[] ski = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        cert.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
    byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        cert.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets()).getKeyIdentifierObject().getOctets();
    assertThat(ski).hasSize(20).isEqualTo(aki);

    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS));
    assertThat(cert.getSerialNumber().signum()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isLessThanOrEqualTo(128).isGreaterThan(64);
    assertThat(CaChecks.problems(ca, NOW, BC)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void generate_now_opensslStrictAcceptsTheRoot(KeyAlgorithm algorithm) throws Exception {
    CaMaterial ca = generator.generate(new CaSpec("CN=Strict Root", algorithm, Duration.ofDays(30), 0), Instant.now());

    TestPki.assertOpensslValid(List.of(ca.certificate(), ca.certificate()), "any", dir);
    assertThat(ca.certificate().getBasicConstraints()).isZero();
  }

  @Test
  void generate_twice_differentKeysAndSerials() {
    CaSpec spec = new CaSpec("CN=Twice", KeyAlgorithm.EC_P256, Duration.ofDays(1), 0);

    CaMaterial first = generator.generate(spec, NOW);
    CaMaterial second = generator.generate(spec, NOW);

    assertThat(first.certificate().getSerialNumber()).isNotEqualTo(second.certificate().getSerialNumber());
    assertThat(first.certificate().getPublicKey()).isNotEqualTo(second.certificate().getPublicKey());
    assertThat(first.fingerprint()).isNotEqualTo(second.fingerprint());
  }

  @Test
  void caMaterial_toString_namesCaButNotKey() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);

    assertThat(ca.toString())
        .contains("Test Root", ca.fingerprint().shortForm(), "EC_P256")
        .doesNotContain(ca.privateKey().toString())
        .doesNotContain(PemKeys.encodePkcs8(ca.privateKey()).lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void caSpec_invalidFields_rejectedNamingField() {
    Duration day = Duration.ofDays(1);

    assertThatThrownBy(() -> new CaSpec("not a dn", KeyAlgorithm.EC_P256, day, 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("subjectDn"));
    assertThatThrownBy(() -> new CaSpec("", KeyAlgorithm.EC_P256, day, 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("subjectDn"));
    assertThatThrownBy(() -> new CaSpec("CN=x", KeyAlgorithm.EC_P256, Duration.ZERO, 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("validity"));
    assertThatThrownBy(() -> new CaSpec("CN=x", KeyAlgorithm.EC_P256, day.negated(), 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("validity"));
    assertThatThrownBy(() -> new CaSpec("CN=x", KeyAlgorithm.EC_P256, day, -1))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("pathLength"));
  }
}
