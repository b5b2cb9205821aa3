package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.internal.crypto.SigningProviders;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.store.InMemoryStore;
import java.security.KeyPair;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link OneCaBuilder#signatureProvider}: each choice bootstraps a CA and issues from a CSR a chain
 * the JDK's PKIX validator accepts; CORRETTO is skipped (with the loading error) where ACCP is not
 * healthy. The unavailable path is covered by {@code SigningProvidersTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignatureProviderChoiceTest {

  @ParameterizedTest
  @EnumSource(CryptoProviderChoice.class)
  void everyChoice_bootstrapsAndIssuesAValidChain(CryptoProviderChoice choice) throws Exception {
    if (choice == CryptoProviderChoice.CORRETTO) {
      Assumptions.assumeTrue(SigningProviders.corretto().available().isPresent(),
          () -> "Amazon Corretto Crypto Provider unavailable here: " + SigningProviders.corretto().unavailableReason());
    }
    KeyPair leafKey = TestPki.keyPair(KeyAlgorithm.EC_P256);
    byte[] csr = TestPki.csr("CN=node-1", leafKey, new GeneralName(GeneralName.dNSName, "node-1.example.com"));
    try (InMemoryStore store = InMemoryStore.create();
        OneCa ca = OneCa.builder().store(store).allowPlaintextCaKey().signatureProvider(choice).build()) {
      ca.start();

      IssuedCertificate issued = ca.issue(CertificateRequest.fromCsr(csr).build());

      assertThat(issued.certificate().getPublicKey().getEncoded()).isEqualTo(leafKey.getPublic().getEncoded());
      TestPki.assertPkixValid(issued.chain(), Instant.now());
    }
  }

  @Test
  void signatureProvider_setTwice_rejected() {
    OneCaBuilder builder = OneCa.builder().signatureProvider(CryptoProviderChoice.AUTO);

    assertThatThrownBy(() -> builder.signatureProvider(CryptoProviderChoice.BOUNCY_CASTLE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("signatureProvider was already set");
  }
}
