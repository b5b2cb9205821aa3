package io.oneca.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.KeyAlgorithm;
import io.oneca.core.internal.tls.TlsMaterial;
import java.security.KeyPair;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fast provider accepts what the JDK accepts and refuses what it refuses, for every key type. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FastVerificationTest {

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void selfSignedCa_verifies_andAnotherCasKeyDoesNot(KeyAlgorithm algorithm) throws Exception {
    X509Certificate ca = TlsMaterial.toJdkCertificates(List.of(TestPki.ca(algorithm).certificate())).get(0);
    FastVerification.verifySignedBy(ca, ca.getPublicKey());

    KeyPair other = TestPki.keyPair(algorithm == KeyAlgorithm.EC_P256 ? KeyAlgorithm.EC_P384 : KeyAlgorithm.EC_P256);
    assertThatThrownBy(() -> FastVerification.verifySignedBy(ca, other.getPublic()))
        .isInstanceOf(java.security.GeneralSecurityException.class);
  }

  @Test
  void aSignatureThatDoesNotVerify_isRefused_notRetriedAsAProviderProblem() throws Exception {
    X509Certificate ca = TestPki.ca(KeyAlgorithm.EC_P256).certificate();
    X509Certificate sameCurveOtherKey = new CaGenerator(Providers.bouncyCastle(), TestPki.RANDOM)
        .generate(new CaSpec("CN=Other", KeyAlgorithm.EC_P256, java.time.Duration.ofDays(1), 0), java.time.Instant.now())
        .certificate();
    assertThatThrownBy(() -> FastVerification.verifySignedBy(ca, sameCurveOtherKey.getPublicKey()))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void providerIsAccpWhenUsable_elseBouncyCastle() {
    assertThat(FastVerification.provider().getName()).isIn("AmazonCorrettoCryptoProvider", "BC");
    assertThat(FastVerification.provider()).isNotNull();
  }
}
