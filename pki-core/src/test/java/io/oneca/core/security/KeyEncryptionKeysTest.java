package io.oneca.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.security.KeyEncryptionKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyEncryptionKeysTest {
  private static final byte[] KEY = HexFormat.of().parseHex("8f2d61a0c3b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e");
  private static final String BASE64 = Base64.getEncoder().encodeToString(KEY);

  @TempDir Path dir;

  @Test
  void fromFile_rawBase64AndUrlSafe_sameKeySameId() throws Exception {
    Path raw = Files.write(dir.resolve("raw"), KEY);
    Path b64 = Files.writeString(dir.resolve("b64"), BASE64 + "\n");
    Path url = Files.writeString(dir.resolve("url"), Base64.getUrlEncoder().withoutPadding().encodeToString(KEY));

    KeyEncryptionKey fromRaw = KeyEncryptionKeys.fromFile(raw);
    assertThat(KeyEncryptionKeys.fromFile(b64).id()).isEqualTo(fromRaw.id());
    assertThat(KeyEncryptionKeys.fromFile(url).id()).isEqualTo(fromRaw.id());
    assertThat(KeyEncryptionKeys.fromEnvironment("KEK", Map.of("KEK", BASE64)::get).id()).isEqualTo(fromRaw.id());
    assertThat(fromRaw.id()).matches("aes256gcm:[0-9a-f]{16}");
    assertThat(fromRaw.id()).isNotEqualTo(KeyEncryptionKeys.ofBytes(new byte[32]).id());
  }

  @Test
  void id_andToString_revealNoKeyMaterial() {
    KeyEncryptionKey kek = KeyEncryptionKeys.ofBytes(KEY);
    String hex = HexFormat.of().formatHex(KEY);
    for (String shown : new String[] {kek.id(), kek.toString()}) {
      assertThat(shown).doesNotContain(hex.substring(0, 8)).doesNotContain(BASE64.substring(0, 8));
    }
  }

  @Test
  void fromFile_wrongLength_typedErrorWithoutContent() throws Exception {
    Path shortRaw = Files.write(dir.resolve("short"), java.util.Arrays.copyOf(KEY, 31));
    Path shortB64 = Files.writeString(dir.resolve("short64"), Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(KEY, 16)));

    assertThatThrownBy(() -> KeyEncryptionKeys.fromFile(shortRaw))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("keyEncryptionKey"))
        .hasMessageContaining("neither 32 raw bytes nor valid base64")
        .hasNoCause();
    assertThatThrownBy(() -> KeyEncryptionKeys.fromFile(shortB64))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("decodes to 16 bytes")
        .hasMessageNotContaining(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(KEY, 16)));
  }

  @Test
  void fromFile_missingOrHuge_typedError() throws Exception {
    assertThatThrownBy(() -> KeyEncryptionKeys.fromFile(dir.resolve("absent")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cannot read key file");
    Path huge = Files.write(dir.resolve("huge"), new byte[4096]);
    assertThatThrownBy(() -> KeyEncryptionKeys.fromFile(huge))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("4096 bytes");
  }

  @Test
  void fromEnvironment_unsetOrNotBase64_typedErrorWithoutValue() {
    assertThatThrownBy(() -> KeyEncryptionKeys.fromEnvironment("ONECA_KEK", Map.<String, String>of()::get))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("ONECA_KEK is not set");
    String secretish = "not!base64!" + BASE64;
    assertThatThrownBy(() -> KeyEncryptionKeys.fromEnvironment("ONECA_KEK", Map.of("ONECA_KEK", secretish)::get))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageNotContaining(secretish)
        .hasMessageNotContaining("!")
        .hasNoCause();
  }

  @Test
  void ofBytes_wrongLength_typedError() {
    assertThatThrownBy(() -> KeyEncryptionKeys.ofBytes(new byte[16]))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("32 bytes, got 16");
  }

  @Test
  void encryptDecrypt_roundTripFreshNonceAndBoundAssociatedData() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKeys.ofBytes(KEY);
    byte[] secret = "the CA key".getBytes(StandardCharsets.US_ASCII);
    byte[] aad = "oneca/ca".getBytes(StandardCharsets.US_ASCII);

    byte[] first = kek.encrypt(secret, aad);
    byte[] second = kek.encrypt(secret, aad);

    assertThat(first).isNotEqualTo(second);
    assertThat(kek.decrypt(first, aad)).isEqualTo(secret);
    assertThatThrownBy(() -> kek.decrypt(first, "oneca/other".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> KeyEncryptionKeys.ofBytes(new byte[32]).decrypt(first, aad))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> kek.decrypt(new byte[5], aad)).isInstanceOf(GeneralSecurityException.class);
  }
}
