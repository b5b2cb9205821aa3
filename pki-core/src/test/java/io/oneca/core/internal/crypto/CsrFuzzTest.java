package io.oneca.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.policy.IssuancePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes CSR handling end to end (parse, extension checks, key policy, proof of possession, names,
 * signing): any input yields a leaf certificate that is not a CA, or an {@link InvalidRequestException}.
 * Under {@code mvn test} it replays the seed corpus in {@code CsrFuzzTestInputs}; {@code -Pfuzz}
 * fuzzes for real.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CsrFuzzTest {
  private static final LeafIssuer ISSUER = new LeafIssuer(TestPki.BC, TestPki.RANDOM,
      IssuancePolicy.builder().allowedDnsNames(".example.com").allowedIpRanges("10.0.0.0/8").allowedUriPrefixes("spiffe://").build());
  private static final CaMaterial CA = TestPki.ca(KeyAlgorithm.EC_P256);

  @FuzzTest(maxDuration = "2m")
  void issueFromCsr_anyBytes_leafOrInvalidRequest(byte[] data) {
    IssuedCertificate issued;
    try {
      issued = ISSUER.issue(CA, 1, CertificateRequest.fromCsr(data).build(), Duration.ofHours(1), Instant.now());
    } catch (InvalidRequestException expected) {
      assertThat(expected.field()).isNotBlank();
      return;
    }
    assertThat(issued.certificate().getBasicConstraints()).isEqualTo(-1);
  }
}
