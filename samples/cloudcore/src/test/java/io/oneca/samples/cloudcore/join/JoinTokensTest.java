package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinTokensTest {
  private static final Instant NOW = Instant.parse("2026-11-22T02:00:00Z");
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final JoinTokens tokens = JoinTokens.fromKey(KEY);

  @TempDir Path tmp;

  @Test
  void mintThenVerify_roundTrip_nodeExpiryAndId() {
    String token = tokens.mint("edge-1", Duration.ofHours(1), NOW);

    JoinToken verified = tokens.verify(token, NOW.plusSeconds(3599));

    assertThat(verified.nodeName()).isEqualTo("edge-1");
    assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    assertThat(verified.id()).matches("[0-9a-f]{24}");
    assertThat(token).startsWith("oneca1.").hasSizeLessThanOrEqualTo(JoinTokens.MAX_LENGTH).doesNotContain(verified.id());
  }

  @Test
  void mint_twice_differentIds() {
    JoinToken first = tokens.verify(tokens.mint("edge-1", Duration.ofHours(1), NOW), NOW);
    JoinToken second = tokens.verify(tokens.mint("edge-1", Duration.ofHours(1), NOW), NOW);

    assertThat(first.id()).isNotEqualTo(second.id());
  }

  @Test
  void mint_longestNodeName_staysWithinMaxLength() {
    String token = tokens.mint("a".repeat(63), JoinTokens.MAX_TTL, NOW);

    assertThat(token.length()).isLessThanOrEqualTo(JoinTokens.MAX_LENGTH);
    assertThat(tokens.verify(token, NOW).nodeName()).hasSize(63);
  }

  @Test
  void verify_atOrAfterExpiry_expired() {
    String token = tokens.mint("edge-1", Duration.ofMinutes(5), NOW);

    expect(token, NOW.plusSeconds(300), JoinError.TOKEN_EXPIRED);
    expect(token, NOW.plus(Duration.ofDays(1)), JoinError.TOKEN_EXPIRED);
  }

  @Test
  void verify_otherKey_invalid() {
    String token = JoinTokens.fromKey("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII))
        .mint("edge-1", Duration.ofHours(1), NOW);

    expect(token, NOW, JoinError.TOKEN_INVALID);
  }

  @Test
  void verify_payloadSwappedForAnotherNode_invalid() {
    String token = tokens.mint("edge-1", Duration.ofHours(1), NOW);
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.US_ASCII).replace("edge-1", "edge-2");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.getBytes(StandardCharsets.US_ASCII)) + "." + parts[2];

    expect(forged, NOW, JoinError.TOKEN_INVALID);
  }

  @Test
  void verify_everySingleCharacterChange_rejected() {
    String token = tokens.mint("edge-1", Duration.ofHours(1), NOW);
    for (int i = 0; i < token.length(); i++) {
      char original = token.charAt(i);
      char replacement = original == 'A' ? 'B' : 'A';
      String tampered = token.substring(0, i) + replacement + token.substring(i + 1);
      assertThatThrownBy(() -> tokens.verify(tampered, NOW)).as("change at %d", i).isInstanceOf(JoinRejection.class);
    }
  }

  @Test
  void verify_macTruncated_malformed() {
    String token = tokens.mint("edge-1", Duration.ofHours(1), NOW);

    expect(token.substring(0, token.length() - 4), NOW, JoinError.TOKEN_MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "oneca1.", "oneca1..", "oneca1.abc", "oneca1.a.b.c", "oneca2.YWJj.YWJj", "oneca1.YW=j.YWJj",
      "oneca1.YWJj.YWJj ", "Bearer oneca1.YWJj.YWJj", "oneca1.YW+j.YWJj", "oneca1.YWJ.YWJj"})
  void verify_malformedStrings_malformed(String token) {
    expect(token, NOW, JoinError.TOKEN_MALFORMED);
  }

  @Test
  void verify_tooLongOrNull_malformed() {
    expect("oneca1." + "A".repeat(300) + ".AAAA", NOW, JoinError.TOKEN_MALFORMED);
    expect(null, NOW, JoinError.TOKEN_MALFORMED);
  }

  @Test
  void rejections_neverQuoteTheToken() {
    String token = tokens.mint("edge-1", Duration.ofMinutes(1), NOW);

    assertThatThrownBy(() -> tokens.verify(token, NOW.plusSeconds(60))).hasMessageNotContaining(token)
        .hasMessageNotContaining(token.split("\\.")[2]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Edge-1", "-edge", "edge-", "edge_1", "edge.1", "ödge", "edge 1"})
  void mint_invalidNodeName_refused(String node) {
    assertThatThrownBy(() -> tokens.mint(node, Duration.ofHours(1), NOW)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mint_nodeNameOf64Characters_refused() {
    assertThatThrownBy(() -> tokens.mint("a".repeat(64), Duration.ofHours(1), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeNames_valid() {
    assertThat(NodeNames.isValid("a")).isTrue();
    assertThat(NodeNames.isValid("edge-1")).isTrue();
    assertThat(NodeNames.isValid("0-a-9")).isTrue();
    assertThat(NodeNames.isValid(null)).isFalse();
  }

  @Test
  void mint_ttlOutOfRange_refused() {
    assertThatThrownBy(() -> tokens.mint("edge-1", Duration.ZERO, NOW)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokens.mint("edge-1", JoinTokens.MAX_TTL.plusSeconds(1), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromKey_shortKey_refused() {
    assertThatThrownBy(() -> JoinTokens.fromKey(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void generateKeyFile_mode0600_andTokensVerifyAcrossInstances() throws Exception {
    Path file = tmp.resolve("join.key");

    JoinTokens minter = JoinTokens.generateKeyFile(file);
    JoinTokens verifier = JoinTokens.fromKeyFile(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
    assertThat(verifier.verify(minter.mint("edge-1", Duration.ofHours(1), NOW), NOW).nodeName()).isEqualTo("edge-1");
  }

  @Test
  void generateKeyFile_existing_neverOverwritten() throws Exception {
    Path file = tmp.resolve("join.key");
    Files.writeString(file, "existing");

    assertThatThrownBy(() -> JoinTokens.generateKeyFile(file)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("existing");
  }

  @Test
  void fromKeyFile_notBase64OrShort_refusedWithoutQuotingContent() throws Exception {
    Path garbage = Files.writeString(tmp.resolve("garbage.key"), "secret-not-base64!!");
    Path shortKey = Files.writeString(tmp.resolve("short.key"), Base64.getEncoder().encodeToString(new byte[16]));

    assertThatThrownBy(() -> JoinTokens.fromKeyFile(garbage)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("garbage.key").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> JoinTokens.fromKeyFile(shortKey)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 bytes");
  }

  @Test
  void toString_redactsKey() {
    assertThat(tokens.toString()).doesNotContain("0123456789abcdef");
  }

  private void expect(String token, Instant now, JoinError error) {
    assertThatThrownBy(() -> tokens.verify(token, now))
        .isInstanceOfSatisfying(JoinRejection.class, r -> assertThat(r.error()).isEqualTo(error));
  }
}
