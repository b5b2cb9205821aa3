package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what an unauthenticated client controls: the request body ({@link JoinRequest#parse}),
 * and the token and CSR inside it ({@link JoinTokens#verify}, {@link CsrRules#check}). Any input
 * yields a valid request (and a CSR for the node) or a {@link JoinRejection} with a 4xx status,
 * never another exception. Under {@code mvn test} it replays the seed corpus in
 * {@code JoinRequestFuzzTestInputs}; {@code -Pfuzz} fuzzes for real.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class JoinRequestFuzzTest {
  private static final Set<JoinError> BODY_ERRORS =
      Set.of(JoinError.MALFORMED_REQUEST, JoinError.UNKNOWN_FIELD, JoinError.BODY_TOO_LARGE);
  private static final JoinTokens TOKENS =
      JoinTokens.fromKey("fuzz-key-fuzz-key-fuzz-key-fuzz!".getBytes(StandardCharsets.US_ASCII));
  private static final CsrRules RULES = CsrRules.defaults();
  private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

  @FuzzTest(maxDuration = "2m")
  void parse_anyBytes_requestOrBodyRejection(byte[] data) {
    JoinRequest request;
    try {
      request = JoinRequest.parse(data);
    } catch (JoinRejection expected) {
      assertThat(expected.error()).isIn(BODY_ERRORS);
      return;
    }
    assertThat(request.token()).isNotEmpty().hasSizeLessThanOrEqualTo(JoinTokens.MAX_LENGTH);
    assertThat(request.csrPem()).isNotEmpty().hasSizeLessThanOrEqualTo(JoinRequest.MAX_CSR_CHARS);
  }

  @FuzzTest(maxDuration = "2m")
  void tokenAndCsr_anyBody_nodeCsrOrClientRejection(byte[] data) {
    try {
      JoinRequest request = JoinRequest.parse(data);
      JoinToken token = TOKENS.verify(request.token(), NOW);
      byte[] der = RULES.check(request.csrPem(), token.nodeName());
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      assertThat(csr.getSubject().toString()).isEqualTo("CN=" + token.nodeName());
    } catch (JoinRejection expected) {
      assertThat(expected.error().status()).isBetween(400, 499);
    } catch (java.io.IOException e) {
      throw new AssertionError("CsrRules returned bytes that do not parse", e);
    }
  }

  @Test
  void seedCorpus_validRequest_passesEveryCheck() throws Exception {
    byte[] seed;
    try (InputStream in = JoinRequestFuzzTest.class.getResourceAsStream(
        "JoinRequestFuzzTestInputs/tokenAndCsr_anyBody_nodeCsrOrClientRejection/valid-request.json")) {
      assertThat(in).as("seed file").isNotNull();
      seed = in.readAllBytes();
    }

    JoinRequest request = JoinRequest.parse(seed);
    JoinToken token = TOKENS.verify(request.token(), NOW);

    assertThat(token.nodeName()).isEqualTo("edge-1");
    assertThat(RULES.check(request.csrPem(), token.nodeName())).isNotEmpty();
  }
}
