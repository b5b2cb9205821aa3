package io.oneca.core.hygiene;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link LogHygieneScenarios} in a child JVM with every logger at TRACE writing to a file, and
 * checks that no secret it used (CA keys, a leaf key, key-encryption keys) appears in the log or
 * on stdout/stderr in any encoding {@link SecretScanner} knows. The control run logs a secret on
 * purpose and must be flagged, so the check is known to work end to end.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LogHygieneTest {
  @TempDir Path dir;

  @Test
  void mainScenarios_logNoSecretAtAnyLevel() throws Exception {
    Run run = runScenarios(dir.resolve("clean"), false);

    assertThat(run.log()).contains("event=CA_CREATED", "event=CERTIFICATE_ISSUED", "event=REQUEST_REJECTED",
        "event=CA_KEY_REENCRYPTED", "CaKeyDecryptionException", "event=CA_IMPORT_DIFFERENT_CA_STORED");
    assertThat(run.scanner().secrets()).isGreaterThanOrEqualTo(8);
    assertThat(run.findings()).isEmpty();
  }

  @Test
  void control_secretLoggedOnPurpose_isFlagged() throws Exception {
    Run run = runScenarios(dir.resolve("leak"), true);

    assertThat(run.findings()).singleElement().asString().startsWith("kek-b");
  }

  private record Run(String log, SecretScanner scanner, List<String> findings) {}

  private static Run runScenarios(Path workDir, boolean leak) throws Exception {
    Files.createDirectories(workDir);
    Path log = workDir.resolve("oneca.log");
    Path out = workDir.resolve("stdout.txt");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
        "-Dorg.slf4j.simpleLogger.logFile=" + log,
        "-cp", System.getProperty("java.class.path"),
        LogHygieneScenarios.class.getName(), workDir.toString()));
    if (leak) {
      command.add("--leak");
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertThat(process.waitFor(150, TimeUnit.SECONDS)).as("scenarios finished in time").isTrue();
    } finally {
      process.destroyForcibly();
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stdout).isZero();
    assertThat(stdout).contains("SCENARIOS DONE");

    SecretScanner scanner = new SecretScanner();
    for (String line : Files.readAllLines(workDir.resolve("secrets.txt"), StandardCharsets.US_ASCII)) {
      String[] parts = line.split(" ", 2);
      byte[] secret = Base64.getDecoder().decode(parts[1]);
      if (parts[0].endsWith("-key")) {
        scanner.addPrivateKey(parts[0], java.security.KeyFactory.getInstance(guessAlgorithm(secret))
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(secret)));
      } else {
        scanner.add(parts[0], secret);
      }
    }
    String logText = Files.readString(log, StandardCharsets.UTF_8);
    List<String> findings = new ArrayList<>(scanner.scan("log", logText));
    findings.addAll(scanner.scan("stdout/stderr", stdout));
    return new Run(logText, scanner, findings);
  }

  private static String guessAlgorithm(byte[] pkcs8) {
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        java.security.KeyFactory.getInstance(algorithm).generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
        return algorithm;
      } catch (java.security.GeneralSecurityException e) {
        // try the next one
      }
    }
    throw new IllegalArgumentException("not a PKCS#8 key of a known algorithm");
  }
}
