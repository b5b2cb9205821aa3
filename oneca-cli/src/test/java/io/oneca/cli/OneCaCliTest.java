package io.oneca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.Pem;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.security.KeyEncryptionKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every command in-process against a file store: exit codes, tables, JSON shape, error messages. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaCliTest {
  private static final byte[] KEK_BYTES = new byte[32];
  private static final String KEK_BASE64;

  static {
    for (int i = 0; i < KEK_BYTES.length; i++) {
      KEK_BYTES[i] = (byte) (i * 7 + 3);
    }
    KEK_BASE64 = Base64.getEncoder().encodeToString(KEK_BYTES);
  }

  @TempDir
  Path temp;

  private String storeUri;
  private Path kekFile;

  @BeforeEach
  void setUp() throws Exception {
    Path storeDir = Files.createDirectory(temp.resolve("store"));
    storeUri = storeDir.toUri().toString();
    kekFile = temp.resolve("kek.b64");
    Files.writeString(kekFile, KEK_BASE64);
    Files.setPosixFilePermissions(kekFile, java.util.Set.of(PosixFilePermission.OWNER_READ));
  }

  private CaView bootstrap() {
    try (VersionedStore store = Stores.open(storeUri);
        OneCa oneCa = OneCa.builder().store(store).keyEncryptionKey(KeyEncryptionKeys.ofBytes(KEK_BYTES)).build()) {
      BootstrapResult started = oneCa.start();
      return started.ca();
    }
  }

  private static void assertNoSecrets(CliRun run) {
    assertThat(run.out() + run.err()).doesNotContain("PRIVATE KEY").doesNotContain(KEK_BASE64);
  }

  @Test
  void inspect_table_showsFingerprintVersionAndProtection() {
    CaView ca = bootstrap();
    CliRun run = CliRun.of("inspect", "--store", storeUri);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains(ca.fingerprint().toString())
        .contains("version")
        .contains(Long.toString(ca.storeVersion()))
        .contains("CN=OneCA Root CA")
        .contains("encrypted with key-encryption key aes256gcm:");
    assertNoSecrets(run);
  }

  @Test
  void inspect_json_hasTheDocumentedShape() {
    CaView ca = bootstrap();
    CliRun run = CliRun.of("inspect", "--store", storeUri, "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("key").asText()).isEqualTo("oneca/ca");
    assertThat(json.get("version").asLong()).isEqualTo(ca.storeVersion());
    assertThat(json.get("schema").asInt()).isEqualTo(4);
    assertThat(json.at("/keyProtection/encrypted").asBoolean()).isTrue();
    assertThat(json.at("/keyProtection/keyEncryptionKeyId").asText())
        .isEqualTo(KeyEncryptionKeys.ofBytes(KEK_BYTES).id());
    assertThat(json.at("/active/fingerprintSha256").asText()).isEqualTo(ca.fingerprint().sha256Hex());
    assertThat(json.at("/active/keyAlgorithm").asText()).isEqualTo("EC_P256");
    assertThat(json.at("/active/certificate/notAfter").asText()).isEqualTo(ca.notAfter().toString());
    assertThat(json.at("/active/certificate/subject").asText()).isEqualTo("CN=OneCA Root CA");
    assertThat(json.get("trustBundle")).hasSize(1);
    assertThat(json.get("createdBy").asText()).isNotBlank();
  }

  @Test
  void inspect_noRecord_exit3NamingTheKey() {
    CliRun run = CliRun.of("inspect", "--store", storeUri, "--key", "team-a/ca");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.NO_RECORD);
    assertThat(run.err()).contains("no CA record at key 'team-a/ca'");
  }

  @Test
  void inspect_unreadableRecord_exit2NamingKeyAndVersion() throws Exception {
    bootstrap();
    long version;
    try (VersionedStore store = Stores.open(storeUri)) {
      long current = store.get("oneca/ca").get().orElseThrow().version();
      CasResult written = store.compareAndSet("oneca/ca", Precondition.atVersion(current),
          "garbage".getBytes(StandardCharsets.US_ASCII)).get();
      version = ((CasResult.Applied) written).value().version();
    }
    CliRun run = CliRun.of("inspect", "--store", storeUri);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).startsWith("error: ").contains("oneca/ca").contains(Long.toString(version));
  }

  @Test
  void unknownScheme_exit2ListingAvailableBackends() {
    CliRun run = CliRun.of("inspect", "--store", "nosuch://x");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("no store provider for scheme 'nosuch'")
        .contains("etcd").contains("file").contains("k8s").contains("zk");
  }

  @Test
  void verify_allAgree_exit0() {
    CaView ca = bootstrap();
    CliRun run = CliRun.of("verify", "--store", storeUri,
        "--replica-fingerprint", "a=" + ca.fingerprint().sha256Hex(),
        "--replica-fingerprint", "b=" + ca.fingerprint());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("a ").contains("b ").contains("AGREES").doesNotContain("DIFFERS");
  }

  @Test
  void verify_oneDiffers_exit1AndJsonNamesIt() throws Exception {
    CaView ca = bootstrap();
    String other = "ab".repeat(32);
    Path report = temp.resolve("replica-c.json");
    Files.writeString(report, "{\"status\":\"UP\",\"details\":{\"caFingerprint\":\"" + ca.fingerprint().sha256Hex()
        + "\",\"caVersion\":" + ca.storeVersion() + "}}");
    CliRun run = CliRun.of("verify", "--store", storeUri, "--json",
        "--replica-fingerprint", "a=" + ca.fingerprint().sha256Hex(),
        "--replica-fingerprint", "b=" + other,
        "--replica-file", "c=" + report);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.MISMATCH);
    JsonNode json = run.json();
    assertThat(json.get("allAgree").asBoolean()).isFalse();
    assertThat(json.get("storeFingerprintSha256").asText()).isEqualTo(ca.fingerprint().sha256Hex());
    assertThat(json.get("replicas")).hasSize(3);
    assertThat(json.at("/replicas/0/status").asText()).isEqualTo("AGREES");
    assertThat(json.at("/replicas/1/name").asText()).isEqualTo("b");
    assertThat(json.at("/replicas/1/status").asText()).isEqualTo("DIFFERS");
    assertThat(json.at("/replicas/1/fingerprintSha256").asText()).isEqualTo(other);
    assertThat(json.at("/replicas/2/status").asText()).isEqualTo("AGREES");
  }

  @Test
  void verify_unreachableReplica_exit2ButOthersStillChecked() throws Exception {
    CaView ca = bootstrap();
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    CliRun run = CliRun.of("verify", "--store", storeUri, "--json", "--timeout", "2s",
        "--replica-url", "down=http://127.0.0.1:" + closedPort + "/health",
        "--replica-file", "missing=" + temp.resolve("nope.json"),
        "--replica-fingerprint", "ok=" + ca.fingerprint().sha256Hex());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.ERROR);
    JsonNode json = run.json();
    assertThat(json.at("/replicas/0/name").asText()).isEqualTo("ok");
    assertThat(json.at("/replicas/0/status").asText()).isEqualTo("AGREES");
    assertThat(json.at("/replicas/1/status").asText()).isEqualTo("ERROR");
    assertThat(json.at("/replicas/1/detail").asText()).contains("nope.json");
    assertThat(json.at("/replicas/2/name").asText()).isEqualTo("down");
    assertThat(json.at("/replicas/2/status").asText()).isEqualTo("ERROR");
  }

  @Test
  void verify_malformedFingerprint_isAnErrorForThatReplica() {
    bootstrap();
    CliRun run = CliRun.of("verify", "--store", storeUri, "--replica-fingerprint", "x=zz");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.out()).contains("ERROR").contains("not a SHA-256 fingerprint");
  }

  @Test
  void exportTrustBundle_isThePemOfTheStoredBundle() throws Exception {
    CaView ca = bootstrap();
    CliRun run = CliRun.of("export", "trust-bundle", "--store", storeUri);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(Pem.decodeCertificates(run.out())).isEqualTo(ca.trustBundle());

    Path file = temp.resolve("ca.pem");
    CliRun toFile = CliRun.of("export", "ca-chain", "--store", storeUri, "--out", file.toString(), "--json");
    assertThat(toFile.exitCode()).as(toFile.toString()).isZero();
    assertThat(toFile.json().get("file").asText()).isEqualTo(file.toString());
    assertThat(Pem.decodeCertificates(Files.readString(file))).isEqualTo(ca.chain());
  }

  @Test
  void exportPkcs12_issuesFromTheStoredCa() throws Exception {
    CaView ca = bootstrap();
    Path password = temp.resolve("p12.pass");
    Files.writeString(password, "s3cret-pass\n");
    Path out = temp.resolve("server.p12");
    CliRun run = CliRun.of("export", "pkcs12", "--store", storeUri, "--kek-file", kekFile.toString(),
        "--dns", "svc.example.com", "--ip", "127.0.0.1", "--out", out.toString(), "--password-file",
        password.toString(), "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertNoSecrets(run);
    assertThat(run.json().get("caFingerprintSha256").asText()).isEqualTo(ca.fingerprint().sha256Hex());
    assertThat(Files.getPosixFilePermissions(out)).containsExactlyInAnyOrder(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(new ByteArrayInputStream(Files.readAllBytes(out)), "s3cret-pass".toCharArray());
    X509Certificate leaf = (X509Certificate) p12.getCertificate("oneca");
    assertThat(p12.getKey("oneca", "s3cret-pass".toCharArray())).isNotNull();
    leaf.verify(ca.certificate().getPublicKey());
    assertThat(leaf.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
        .contains("svc.example.com", "127.0.0.1");
  }

  @Test
  void exportPkcs12_withoutKek_exit2SayingWhatIsNeeded() throws Exception {
    bootstrap();
    Path password = temp.resolve("p12.pass");
    Files.writeString(password, "pw");
    CliRun run = CliRun.of("export", "pkcs12", "--store", storeUri, "--dns", "a.example", "--out",
        temp.resolve("x.p12").toString(), "--password-file", password.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("--kek-file").contains("--kek-env");
  }

  @Test
  void exportPkcs12_wrongKek_exit2NamingTheKey() throws Exception {
    bootstrap();
    Path wrong = temp.resolve("wrong.kek");
    Files.writeString(wrong, Base64.getEncoder().encodeToString(new byte[32]));
    Path password = temp.resolve("p12.pass");
    Files.writeString(password, "pw");
    CliRun run = CliRun.of("export", "pkcs12", "--store", storeUri, "--kek-file", wrong.toString(), "--dns",
        "a.example", "--out", temp.resolve("x.p12").toString(), "--password-file", password.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("oneca/ca").contains("key-encryption key");
    assertThat(temp.resolve("x.p12")).doesNotExist();
    assertNoSecrets(run);
  }

  @Test
  void exportPkcs12_noRecord_exit3AndCreatesNoCa() throws Exception {
    Path password = temp.resolve("p12.pass");
    Files.writeString(password, "pw");
    CliRun run = CliRun.of("export", "pkcs12", "--store", storeUri, "--kek-file", kekFile.toString(), "--dns",
        "a.example", "--out", temp.resolve("x.p12").toString(), "--password-file", password.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.NO_RECORD);
    try (VersionedStore store = Stores.open(storeUri)) {
      assertThat(store.get("oneca/ca").get()).isEmpty();
    }
  }

  @Test
  void import_intoEmptyStore_thenSame_thenDifferent() throws Exception {
    TestCas mine = TestCas.create("CN=Operator CA,O=Acme");
    Path cert = temp.resolve("ca.crt");
    Path key = temp.resolve("ca.key");
    Files.writeString(cert, mine.certificatePem());
    Files.writeString(key, mine.privateKeyPem());

    CliRun imported = CliRun.of("import", "--store", storeUri, "--kek-file", kekFile.toString(),
        "--cert", cert.toString(), "--ca-key", key.toString(), "--json");
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.json().get("outcome").asText()).isEqualTo("IMPORTED");
    assertNoSecrets(imported);
    CliRun inspected = CliRun.of("inspect", "--store", storeUri, "--json");
    assertThat(inspected.json().at("/active/fingerprintSha256").asText())
        .isEqualTo(io.oneca.api.Fingerprint.of(mine.certificate()).sha256Hex());
    long version = inspected.json().get("version").asLong();

    CliRun again = CliRun.of("import", "--store", storeUri, "--kek-file", kekFile.toString(),
        "--cert", cert.toString(), "--ca-key", key.toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("ALREADY_STORED");

    TestCas other = TestCas.create("CN=Someone Else CA");
    Files.writeString(cert, other.certificatePem());
    Files.writeString(key, other.privateKeyPem());
    CliRun different = CliRun.of("import", "--store", storeUri, "--kek-file", kekFile.toString(),
        "--cert", cert.toString(), "--ca-key", key.toString(), "--json");
    assertThat(different.exitCode()).as(different.toString()).isEqualTo(ExitCodes.MISMATCH);
    assertThat(different.json().get("outcome").asText()).isEqualTo("DIFFERENT_CA_STORED");
    assertThat(different.json().get("storedFingerprintSha256").asText())
        .isEqualTo(io.oneca.api.Fingerprint.of(mine.certificate()).sha256Hex());
    assertThat(CliRun.of("inspect", "--store", storeUri, "--json").json().get("version").asLong())
        .as("a different CA is never written").isEqualTo(version);
  }

  @Test
  void import_missingFile_exit2NamingTheFile() {
    CliRun run = CliRun.of("import", "--store", storeUri, "--allow-plaintext-ca-key",
        "--cert", temp.resolve("absent.crt").toString(), "--ca-key", temp.resolve("absent.key").toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("absent.crt");
  }

  @Test
  void import_notACertificate_exit2NamingTheFiles() throws Exception {
    Path cert = Files.writeString(temp.resolve("empty.crt"), "");
    Path key = Files.writeString(temp.resolve("empty.key"), "");
    CliRun run = CliRun.of("import", "--store", storeUri, "--allow-plaintext-ca-key",
        "--cert", cert.toString(), "--ca-key", key.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("empty.crt").contains("empty.key").contains("no certificate");
  }

  @Test
  void noCommand_isAUsageError() {
    CliRun run = CliRun.of();
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("a command is required");
  }

  @Test
  void help_listsCommandsAndExitCodes() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("inspect").contains("verify").contains("export").contains("import")
        .contains("Exit codes");
  }

  @Test
  void knownSchemes_allSurviveOnTheClassPath() {
    assertThat(Stores.providers().keySet()).contains("file", "etcd", "zk", "k8s");
  }
}
