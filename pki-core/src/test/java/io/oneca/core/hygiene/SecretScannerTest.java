package io.oneca.core.hygiene;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.TestPki;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SecretScannerTest {
  private static final byte[] KEK = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  private final PrivateKey key = TestPki.keyPair(KeyAlgorithm.EC_P256).getPrivate();
  private final SecretScanner scanner = new SecretScanner().add("kek", KEK).addPrivateKey("ca key", key);

  @Test
  void scan_cleanText_noFindings() {
    assertThat(scanner.scan("log", "INFO bootstrap: using CA 3f2a... at version 4 " + Base64.getEncoder().encodeToString(new byte[64])))
        .isEmpty();
  }

  @Test
  void scan_everyEncodingOfTheKek_found() {
    for (String leak : new String[] {
        Base64.getEncoder().encodeToString(KEK), Base64.getUrlEncoder().encodeToString(KEK),
        HexFormat.of().formatHex(KEK), HexFormat.of().formatHex(KEK).toUpperCase(),
        "prefix" + Base64.getEncoder().encodeToString(concat(new byte[] {7}, KEK)) + "suffix",
        Base64.getEncoder().encodeToString(concat(new byte[] {7, 8}, KEK))}) {
      assertThat(scanner.scan("log", "WARN key=" + leak)).as(leak).singleElement().asString().startsWith("kek");
    }
  }

  @Test
  void scan_privateKeyAsPemOrOnePemLineOrScalar_found() {
    String pem = PemKeys.encodePkcs8(key);
    assertThat(scanner.scan("log", pem)).isNotEmpty();
    assertThat(scanner.scan("log", "line " + pem.split("\n")[2])).isNotEmpty();
    assertThat(scanner.scan("log", "d=" + ((ECPrivateKey) key).getS())).isNotEmpty();
    assertThat(scanner.scan("log", "record " + Pem.encode("X", concat(new byte[] {1, 2, 3, 4, 5}, key.getEncoded()))))
        .isNotEmpty();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] result = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, result, a.length, b.length);
    return result;
  }
}
