package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JoinRequestTest {

  @Test
  void parse_bothFields_anyOrderAndWhitespace() {
    JoinRequest request = parse(" {\n \"csr\" : \"PEM\", \"token\":\"oneca1.a.b\" } \n");

    assertThat(request.token()).isEqualTo("oneca1.a.b");
    assertThat(request.csrPem()).isEqualTo("PEM");
  }

  @Test
  void parse_escapedNewlinesInCsr_decoded() {
    assertThat(parse("{\"token\":\"t\",\"csr\":\"a\\nb\"}").csrPem()).isEqualTo("a\nb");
  }

  @Test
  void toString_neverShowsTheToken() {
    assertThat(parse("{\"token\":\"oneca1.secret\",\"csr\":\"x\"}").toString()).doesNotContain("secret");
  }

  @Test
  void parse_duplicateKey_malformed() {
    expect("{\"token\":\"a\",\"token\":\"b\",\"csr\":\"c\"}", JoinError.MALFORMED_REQUEST);
  }

  @Test
  void parse_unknownField_unknownField() {
    expect("{\"token\":\"a\",\"csr\":\"c\",\"sans\":[\"x\"]}", JoinError.UNKNOWN_FIELD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "null", "[]", "\"x\"", "{", "{\"token\":\"a\"}", "{\"csr\":\"a\"}",
      "{\"token\":1,\"csr\":\"c\"}", "{\"token\":null,\"csr\":\"c\"}", "{\"token\":\"\",\"csr\":\"c\"}",
      "{\"token\":\"a\",\"csr\":{}}", "{\"token\":\"a\",\"csr\":\"c\"} {}", "{\"token\":\"a\",\"csr\":\"c\"}x",
      "{'token':'a','csr':'c'}", "{\"token\":\"a\",\"csr\":\"c\",}", "{/*c*/\"token\":\"a\",\"csr\":\"c\"}"})
  void parse_notTheExpectedObject_malformed(String body) {
    expect(body, JoinError.MALFORMED_REQUEST);
  }

  @Test
  void parse_tokenOrCsrTooLong_malformed() {
    expect("{\"token\":\"" + "a".repeat(JoinTokens.MAX_LENGTH + 1) + "\",\"csr\":\"c\"}", JoinError.MALFORMED_REQUEST);
    expect("{\"token\":\"a\",\"csr\":\"" + "c".repeat(JoinRequest.MAX_CSR_CHARS + 1) + "\"}", JoinError.MALFORMED_REQUEST);
  }

  @Test
  void parse_invalidUtf8OrBom_malformed() {
    byte[] invalid = {'{', '"', 't', 'o', 'k', 'e', 'n', '"', ':', '"', (byte) 0xc3, '"', '}'};
    assertThatThrownBy(() -> JoinRequest.parse(invalid))
        .isInstanceOfSatisfying(JoinRejection.class, r -> assertThat(r.error()).isEqualTo(JoinError.MALFORMED_REQUEST));
    expect("\ufeff{\"token\":\"a\",\"csr\":\"c\"}", JoinError.MALFORMED_REQUEST);
  }

  @Test
  void parse_overLimit_tooLarge() {
    assertThatThrownBy(() -> JoinRequest.parse(new byte[JoinRequest.MAX_BODY_BYTES + 1]))
        .isInstanceOfSatisfying(JoinRejection.class, r -> assertThat(r.error()).isEqualTo(JoinError.BODY_TOO_LARGE));
  }

  @Test
  void parse_badJson_messageNeverQuotesTheInput() {
    assertThatThrownBy(() -> parse("{\"token\": oneca1SECRETVALUE, \"csr\":\"c\"}"))
        .hasMessageNotContaining("SECRET");
  }

  private static JoinRequest parse(String body) {
    return JoinRequest.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static void expect(String body, JoinError error) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOfSatisfying(JoinRejection.class, r -> assertThat(r.error()).isEqualTo(error));
  }
}
