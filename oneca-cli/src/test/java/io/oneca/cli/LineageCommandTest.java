package io.oneca.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CaLineageException;
import io.oneca.api.CaView;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code oneca lineage reset}: the explicit way to start a CA key over after its record was deleted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LineageCommandTest {
  @TempDir
  Path temp;

  private String storeUri;

  @BeforeEach
  void setUp() throws Exception {
    storeUri = Files.createDirectory(temp.resolve("store")).toUri().toString();
  }

  private BootstrapResult start() {
    try (VersionedStore store = Stores.open(storeUri);
        OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      return oneCa.start();
    }
  }

  private CliRun reset(String fingerprint) {
    return CliRun.of("lineage", "reset", "--store=" + storeUri, "--expect-fingerprint", fingerprint, "--json");
  }

  @Test
  void reset_afterTheRecordWasDeleted_letsANewCaBeFounded_onlyWithTheRightFingerprint() throws Exception {
    CaView founded = start().ca();
    try (VersionedStore store = Stores.open(storeUri)) {
      Versioned<byte[]> stored = store.get("oneca/ca").get().orElseThrow();
      assertThat(store.delete("oneca/ca", Precondition.atVersion(stored.version())).get().applied()).isTrue();
    }
    assertThatThrownBy(this::start).isInstanceOf(CaLineageException.class)
        .hasMessageContaining(founded.fingerprint().sha256Hex());

    CliRun wrong = reset("00".repeat(32));
    assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(ExitCodes.MISMATCH);
    assertThat(wrong.json().get("outcome").asText()).isEqualTo("MISMATCH");
    assertThatThrownBy(this::start).isInstanceOf(CaLineageException.class);

    CliRun right = reset(founded.fingerprint().toString());
    assertThat(right.exitCode()).as(right.toString()).isEqualTo(ExitCodes.OK);
    assertThat(right.json().get("evidenceKey").asText()).isEqualTo("oneca/ca.lineage");

    BootstrapResult fresh = start();
    assertThat(fresh.outcome()).isEqualTo(BootstrapResult.Outcome.CREATED);
    assertThat(fresh.ca().fingerprint()).isNotEqualTo(founded.fingerprint());
  }

  @Test
  void reset_withoutEvidence_isNothingToReset() {
    CliRun run = reset("ab".repeat(32));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.MISMATCH);
    assertThat(run.json().get("outcome").asText()).isEqualTo("NOTHING_TO_RESET");
  }
}
