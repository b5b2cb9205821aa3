package io.oneca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.CaView;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.security.KeyEncryptionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotate prepare|activate|force} and the slots {@code inspect} shows, against a file store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RotateCommandTest {
  private static final byte[] KEK = new byte[32];

  static {
    java.util.Arrays.fill(KEK, (byte) 0x5a);
  }

  @TempDir
  Path temp;

  private String storeUri;
  private String kekFile;

  @BeforeEach
  void setUp() throws Exception {
    storeUri = Files.createDirectory(temp.resolve("store")).toUri().toString();
    Path file = Files.writeString(temp.resolve("kek"), Base64.getEncoder().encodeToString(KEK));
    Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ));
    kekFile = file.toString();
  }

  private CaView bootstrap() {
    try (VersionedStore store = Stores.open(storeUri); OneCa oneCa = replica(store)) {
      return oneCa.start().ca();
    }
  }

  private static OneCa replica(VersionedStore store) {
    return OneCa.builder().store(store).keyEncryptionKey(KeyEncryptionKeys.ofBytes(KEK))
        .rotation(RotationPolicy.builder().automatic(false).build()).build();
  }

  private CliRun rotate(String step, String... more) {
    String[] args = new String[5 + more.length];
    args[0] = "rotate";
    args[1] = step;
    args[2] = "--store=" + storeUri;
    args[3] = "--kek-file=" + kekFile;
    args[4] = "--json";
    System.arraycopy(more, 0, args, 5, more.length);
    return CliRun.of(args);
  }

  private JsonNode inspect() {
    CliRun run = CliRun.of("inspect", "--store", storeUri, "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run.json();
  }

  @Test
  void inspect_freshRecord_hasNoPreparedAndNoRetired() {
    CaView ca = bootstrap();
    JsonNode json = inspect();
    assertThat(json.at("/active/role").asText()).isEqualTo("ACTIVE");
    assertThat(json.at("/active/fingerprintSha256").asText()).isEqualTo(ca.fingerprint().sha256Hex());
    assertThat(json.get("prepared").isNull()).isTrue();
    assertThat(json.get("retired")).isEmpty();
    assertThat(json.at("/rotationDue/prepareAt").asText()).isNotBlank();
  }

  @Test
  void prepareThenActivate_movesThroughTheSlots_andRepeatsAreHarmless() throws Exception {
    CaView first = bootstrap();

    CliRun prepared = rotate("prepare");
    assertThat(prepared.exitCode()).as(prepared.toString()).isZero();
    JsonNode afterPrepare = prepared.json();
    assertThat(afterPrepare.get("outcome").asText()).isEqualTo("APPLIED");
    assertThat(afterPrepare.at("/active/fingerprintSha256").asText()).isEqualTo(first.fingerprint().sha256Hex());
    String next = afterPrepare.at("/prepared/fingerprintSha256").asText();
    assertThat(next).hasSize(64).isNotEqualTo(first.fingerprint().sha256Hex());
    assertThat(afterPrepare.get("trustBundleSize").asInt()).isEqualTo(2);
    JsonNode inspected = inspect();
    assertThat(inspected.at("/prepared/fingerprintSha256").asText()).isEqualTo(next);
    assertThat(inspected.get("schema").asInt()).isEqualTo(4);
    long version = inspected.get("version").asLong();

    CliRun again = rotate("prepare");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.json().get("outcome").asText()).isEqualTo("ALREADY_DONE");
    assertThat(inspect().get("version").asLong()).as("a repeated prepare writes nothing").isEqualTo(version);

    CliRun activated = rotate("activate");
    assertThat(activated.exitCode()).as(activated.toString()).isZero();
    JsonNode afterActivate = activated.json();
    assertThat(afterActivate.get("outcome").asText()).isEqualTo("APPLIED");
    assertThat(afterActivate.at("/active/fingerprintSha256").asText()).isEqualTo(next);
    assertThat(afterActivate.get("prepared").isNull()).isTrue();
    assertThat(afterActivate.at("/retired/0/fingerprintSha256").asText()).isEqualTo(first.fingerprint().sha256Hex());
    assertThat(afterActivate.at("/retired/0/retainUntil").asText()).isNotBlank();

    CliRun nothing = rotate("activate");
    assertThat(nothing.exitCode()).as(nothing.toString()).isEqualTo(ExitCodes.MISMATCH);
    assertThat(nothing.json().get("outcome").asText()).isEqualTo("NOTHING_TO_DO");

    try (VersionedStore store = Stores.open(storeUri); OneCa follower = replica(store)) {
      assertThat(follower.start().ca().fingerprint().sha256Hex()).as("replicas adopt the CLI's rotation")
          .isEqualTo(next);
    }
    CliRun verify = CliRun.of("verify", "--store", storeUri, "--replica-fingerprint",
        "stale=" + first.fingerprint().sha256Hex());
    assertThat(verify.exitCode()).isEqualTo(ExitCodes.MISMATCH);
  }

  @Test
  void force_distrustPrevious_dropsTheOldCaAtOnce_andIsIdempotentWithFrom() {
    CaView first = bootstrap();
    String old = first.fingerprint().sha256Hex();
    CliRun forced = rotate("force", "--distrust-previous", "--from=" + old);
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    JsonNode json = forced.json();
    assertThat(json.get("outcome").asText()).isEqualTo("APPLIED");
    assertThat(json.at("/active/fingerprintSha256").asText()).isNotEqualTo(old);
    assertThat(json.get("retired")).isEmpty();
    assertThat(inspect().get("trustBundle").findValuesAsText("fingerprintSha256")).doesNotContain(old);

    CliRun again = rotate("force", "--distrust-previous", "--from=" + old);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.json().get("outcome").asText()).isEqualTo("ALREADY_DONE");
    assertThat(again.json().at("/active/fingerprintSha256").asText())
        .isEqualTo(json.at("/active/fingerprintSha256").asText());
  }

  @Test
  void force_keepingTrust_retiresTheOldCa() {
    CaView first = bootstrap();
    CliRun forced = CliRun.of("rotate", "force", "--store", storeUri, "--kek-file", kekFile);
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.out()).contains("APPLIED").contains("retired CA").contains(first.fingerprint().toString());
    assertThat(inspect().at("/retired/0/fingerprintSha256").asText()).isEqualTo(first.fingerprint().sha256Hex());
  }

  @Test
  void rotate_withoutKek_exit2SayingWhatIsNeeded() {
    bootstrap();
    CliRun run = CliRun.of("rotate", "prepare", "--store", storeUri);
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("--kek-file");
  }

  @Test
  void rotate_emptyStore_exit3AndCreatesNothing() throws Exception {
    CliRun run = rotate("prepare");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.NO_RECORD);
    assertThat(run.err()).contains("oneca/ca");
    try (VersionedStore store = Stores.open(storeUri)) {
      assertThat(store.get("oneca/ca").get()).isEmpty();
    }
  }

  @Test
  void rotate_withoutStep_isAUsageError() {
    CliRun run = CliRun.of("rotate");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(run.err()).contains("prepare, activate or force");
  }
}
