package io.oneca.core.hygiene;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Looks for secrets in captured text, in every form a careless log line could carry them: raw
 * bytes, standard and URL-safe base64 (at each of the three byte alignments, so a secret inside a
 * larger base64 blob such as a PEM body is found too), hex in both cases, and PEM body lines.
 */
final class SecretScanner {
  /** Substrings shorter than this could match by chance; longer ones cannot. */
  private static final int MIN_NEEDLE = 20;

  private final Map<String, List<String>> needles = new LinkedHashMap<>();

  /** Adds a secret under a name used in findings. */
  SecretScanner add(String name, byte[] secret) {
    List<String> forms = new ArrayList<>();
    for (int offset = 0; offset < 3 && secret.length - offset >= 15; offset++) {
      byte[] tail = Arrays.copyOfRange(secret, offset, secret.length);
      for (String encoded : new String[] {
          Base64.getEncoder().withoutPadding().encodeToString(tail), Base64.getUrlEncoder().withoutPadding().encodeToString(tail)}) {
        // Drop the first and last characters: they depend on the neighbouring bytes.
        forms.add(encoded.substring(offset == 0 ? 0 : 2, encoded.length() - 2));
      }
    }
    String hex = HexFormat.of().formatHex(secret);
    forms.add(hex);
    forms.add(hex.toUpperCase(Locale.ROOT));
    if (secret.length >= MIN_NEEDLE) {
      forms.add(new String(secret, StandardCharsets.ISO_8859_1));
    }
    String mime = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(secret);
    for (String line : mime.split("\n")) {
      forms.add(line);
    }
    forms.removeIf(form -> form.length() < MIN_NEEDLE);
    needles.put(name, forms);
    return this;
  }

  /** Adds a private key: its PKCS#8 encoding and, for EC keys, the private scalar in hex and decimal. */
  SecretScanner addPrivateKey(String name, java.security.PrivateKey key) {
    add(name + " (PKCS#8)", key.getEncoded());
    if (key instanceof ECPrivateKey ec) {
      BigInteger s = ec.getS();
      add(name + " (scalar)", s.toByteArray());
      List<String> decimal = new ArrayList<>(needles.get(name + " (scalar)"));
      decimal.add(s.toString());
      decimal.add(s.toString(16));
      needles.put(name + " (scalar)", decimal);
    }
    return this;
  }

  /** Returns one finding per secret found, naming the secret and where; empty when clean. */
  List<String> scan(String source, String text) {
    // Base64 wrapped over lines (PEM, MIME) is found once the line breaks are gone.
    String unwrapped = text.replace("\r", "").replace("\n", "");
    List<String> findings = new ArrayList<>();
    needles.forEach((name, forms) -> {
      for (String form : forms) {
        int at = Math.max(text.indexOf(form), unwrapped.indexOf(form));
        if (at >= 0) {
          findings.add(name + " found in " + source + " at offset " + at);
          return;
        }
      }
    });
    return findings;
  }

  int secrets() {
    return needles.size();
  }
}
