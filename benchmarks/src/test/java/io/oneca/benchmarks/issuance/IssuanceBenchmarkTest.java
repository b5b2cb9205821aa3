package io.oneca.benchmarks.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.SigningProviders;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Smoke runs of the issuance and signature benchmarks' code with tiny parameters, so they cannot
 * rot: what they measure must be real work with correct results. Figures are not checked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IssuanceBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"BOUNCY_CASTLE", "CORRETTO"})
  void issue_distinctCsrsGiveDistinctValidChains(String provider) throws Exception {
    assumeAvailable(provider);
    IssuanceBenchmark benchmark = new IssuanceBenchmark();
    benchmark.provider = provider;
    IssuanceBenchmark.Csrs csrs = new IssuanceBenchmark.Csrs();
    csrs.poolSize = 4;
    csrs.generate();
    benchmark.setUp();
    try {
      Set<String> subjects = new HashSet<>();
      for (int i = 0; i < 8; i++) {
        List<X509Certificate> chain = Pem.decodeCertificates(benchmark.issue(csrs));
        assertThat(chain).hasSize(2);
        subjects.add(chain.get(0).getSubjectX500Principal().getName());
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(chain.get(1), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
            CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, 1)), parameters);
      }
      assertThat(subjects).containsExactlyInAnyOrder("CN=node-0", "CN=node-1", "CN=node-2", "CN=node-3");
    } finally {
      benchmark.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"BOUNCY_CASTLE", "CORRETTO"})
  void signAndVerify_roundTrip(String provider) throws Exception {
    assumeAvailable(provider);
    SignatureBenchmark benchmark = new SignatureBenchmark();
    benchmark.provider = provider;
    benchmark.setUp();

    assertThat(benchmark.sign()).isNotEmpty();
    assertThat(benchmark.verify()).isTrue();
  }

  private static void assumeAvailable(String provider) {
    if (provider.equals("CORRETTO")) {
      Assumptions.assumeTrue(SigningProviders.corretto().available().isPresent(),
          () -> "Amazon Corretto Crypto Provider unavailable here: " + SigningProviders.corretto().unavailableReason());
    }
  }
}
