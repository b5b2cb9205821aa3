package io.oneca.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.Pem;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes PEM parsing of certificates ({@link Pem#decodeCertificates}) and private keys
 * ({@link PemKeys#parsePrivateKey}): any text yields a result or an {@link InvalidRequestException}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PemFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void decodeCertificates_anyText_certificatesOrInvalidRequest(byte[] data) {
    try {
      assertThat(Pem.decodeCertificates(new String(data, StandardCharsets.ISO_8859_1))).isNotEmpty();
    } catch (InvalidRequestException expected) {
      assertThat(expected.field()).isEqualTo("certificate");
    }
  }

  @FuzzTest(maxDuration = "2m")
  void parsePrivateKey_anyText_keyOrInvalidRequest(byte[] data) {
    try {
      assertThat(PemKeys.parsePrivateKey(new String(data, StandardCharsets.ISO_8859_1), TestPki.BC)).isNotNull();
    } catch (InvalidRequestException expected) {
      assertThat(expected.field()).isEqualTo("privateKey");
      assertThat(expected.getCause()).as("no parser cause that could quote the secret input").isNull();
    }
  }
}
