package io.oneca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.Pem;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands against a real etcd (Debian's etcd binary on a free loopback port), in-process and
 * through the shaded runnable jar, which proves that the store providers survive shading.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliEtcdIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  @TempDir
  Path temp;

  private String storeUri(String prefix) {
    return "etcd://" + ETCD.clientEndpoints().get(0).replace("http://", "") + "/" + prefix;
  }

  private Path kekFile() throws IOException {
    Path file = temp.resolve("kek");
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Files.writeString(file, Base64.getEncoder().encodeToString(key));
    return file;
  }

  @Test
  void importInspectVerifyExport_onEtcd() throws Exception {
    String store = storeUri("it-" + System.nanoTime());
    Path kek = kekFile();
    TestCas mine = TestCas.create("CN=Etcd Operator CA");
    Path cert = Files.writeString(temp.resolve("ca.crt"), mine.certificatePem());
    Path key = Files.writeString(temp.resolve("ca.key"), mine.privateKeyPem());
    String fingerprint = Fingerprint.of(mine.certificate()).sha256Hex();

    assertThat(CliRun.of("inspect", "--store", store).exitCode()).isEqualTo(ExitCodes.NO_RECORD);

    CliRun imported = CliRun.of("import", "--store", store, "--kek-file", kek.toString(), "--cert", cert.toString(),
        "--ca-key", key.toString(), "--json");
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.json().get("outcome").asText()).isEqualTo("IMPORTED");
    assertThat(imported.json().get("store").asText()).startsWith("etcd");

    CliRun inspected = CliRun.of("inspect", "--store", store, "--json");
    assertThat(inspected.exitCode()).as(inspected.toString()).isZero();
    JsonNode json = inspected.json();
    assertThat(json.at("/active/fingerprintSha256").asText()).isEqualTo(fingerprint);
    assertThat(json.get("version").asLong()).isEqualTo(imported.json().get("version").asLong());
    assertThat(json.at("/keyProtection/encrypted").asBoolean()).isTrue();

    assertThat(CliRun.of("verify", "--store", store, "--replica-fingerprint", "r1=" + fingerprint).exitCode())
        .isZero();
    assertThat(CliRun.of("verify", "--store", store, "--replica-fingerprint", "r1=" + "0".repeat(64)).exitCode())
        .isEqualTo(ExitCodes.MISMATCH);

    CliRun bundle = CliRun.of("export", "trust-bundle", "--store", store);
    assertThat(Pem.decodeCertificates(bundle.out())).containsExactly(mine.certificate());

    Path password = Files.writeString(temp.resolve("pw"), "pw-for-test");
    CliRun p12 = CliRun.of("export", "pkcs12", "--store", store, "--kek-file", kek.toString(), "--dns",
        "node-1.example", "--out", temp.resolve("node.p12").toString(), "--password-file", password.toString(),
        "--json");
    assertThat(p12.exitCode()).as(p12.toString()).isZero();
    assertThat(p12.json().get("caFingerprintSha256").asText()).isEqualTo(fingerprint);

    CliRun prepared = CliRun.of("rotate", "prepare", "--store", store, "--kek-file", kek.toString(), "--json");
    assertThat(prepared.exitCode()).as(prepared.toString()).isZero();
    String next = prepared.json().at("/prepared/fingerprintSha256").asText();
    CliRun activated = CliRun.of("rotate", "activate", "--store", store, "--kek-file", kek.toString(), "--json");
    assertThat(activated.exitCode()).as(activated.toString()).isZero();
    JsonNode rotated = CliRun.of("inspect", "--store", store, "--json").json();
    assertThat(rotated.at("/active/fingerprintSha256").asText()).isEqualTo(next);
    assertThat(rotated.at("/retired/0/fingerprintSha256").asText()).isEqualTo(fingerprint);
    assertThat(rotated.get("version").asLong()).isGreaterThan(json.get("version").asLong());
  }

  @Test
  void etcdDown_exit2NamingKeyAndBackend() {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    CliRun run = CliRun.of("inspect", "--store", "etcd://127.0.0.1:" + port + "?timeoutMillis=1000&connectTimeoutMillis=500",
        "--key", "team-b/ca", "--timeout", "3s");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("team-b/ca").contains("etcd");
  }

  @Test
  void shadedJar_opensEtcdThroughItsMergedServiceFiles() throws Exception {
    Path jar = shadedJar();
    String store = storeUri("jar-" + System.nanoTime());
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of("inspect", "--store", store, "--json"));
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the jar finished").isTrue();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(out + err).isEqualTo(ExitCodes.NO_RECORD);
      assertThat(Output.mapper().readTree(out).get("store").asText()).startsWith("etcd");
    } finally {
      process.destroyForcibly();
    }
  }

  private static Path shadedJar() throws IOException {
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "oneca-cli-*-all.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new AssertionError("no shaded jar in target/: run the package phase first (mvn verify does)");
  }
}
