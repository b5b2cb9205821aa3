package io.oneca.samples.cloudcore.http;

import java.util.Base64;

/** Decodes one PEM block of a given type, strictly. */
public final class PemBlocks {
  private PemBlocks() {}

  /**
   * Decodes the single {@code -----BEGIN type-----} block of a text.
   *
   * @param pem the text
   * @param type the block type, for example {@code CERTIFICATE REQUEST}
   * @return the DER bytes
   * @throws IllegalArgumentException if the text does not hold exactly one such block of valid base64
   */
  public static byte[] decode(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from || pem.indexOf(begin, from + 1) >= 0) {
      throw new IllegalArgumentException("expected one " + type + " PEM block");
    }
    String body = pem.substring(from + begin.length(), to).replaceAll("\\s", "");
    if (body.isEmpty()) {
      throw new IllegalArgumentException("empty " + type + " PEM block");
    }
    return Base64.getDecoder().decode(body);
  }
}
