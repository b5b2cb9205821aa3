package io.oneca.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class StoresTest {

  @Test
  void open_fileUri_opensFileSystemStoreInThatDirectory(@TempDir Path dir) throws Exception {
    try (VersionedStore store = Stores.open(dir.toUri() + "?pollMillis=50&fsync=false")) {
      assertThat(store).isInstanceOf(FileSystemStore.class);
      CasResult result =
          store.compareAndSet("a/b", Precondition.absent(), "v".getBytes(StandardCharsets.UTF_8)).get();
      assertThat(result).isInstanceOf(CasResult.Applied.class);
    }
    try (VersionedStore again = FileSystemStore.open(dir)) {
      assertThat(again.get("a/b").get()).isPresent();
    }
  }

  @Test
  void open_unknownScheme_namesAvailableSchemes() {
    assertThatThrownBy(() -> Stores.open("nosuch://x/y"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("nosuch")
        .hasMessageContaining("file");
  }

  @Test
  void open_noScheme_isRejected() {
    assertThatThrownBy(() -> Stores.open("/var/lib/oneca"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no scheme");
  }

  @Test
  void open_unknownFileParameter_isRejectedWithTheKnownOnes(@TempDir Path dir) {
    assertThatThrownBy(() -> Stores.open(dir.toUri() + "?pollMilis=5"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("pollMilis")
        .hasMessageContaining("pollMillis");
  }

  @Test
  void providers_includeFile() {
    assertThat(Stores.providers()).containsKey("file");
  }
}
