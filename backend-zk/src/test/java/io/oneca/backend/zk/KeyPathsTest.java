package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.Versioned;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Key to znode mapping and the value framing that tells "empty value" from "no value". */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyPathsTest {
  private final KeyPaths paths = new KeyPaths(KeyPaths.basePath("apps/oneca"));

  @Test
  void keys_mapToZnodesUnderTheNamespaceAndBack() {
    assertThat(paths.pathOf("oneca/prod/ca")).isEqualTo("/apps/oneca/oneca/prod/ca");
    assertThat(paths.keyOf("/apps/oneca/oneca/prod/ca")).isEqualTo("oneca/prod/ca");
    assertThat(paths.keyOf("/apps/oneca")).isNull();
    assertThat(paths.keyOf("/apps/oneca-other/x")).isNull();
    assertThat(paths.keyOf("/elsewhere/x")).isNull();
    assertThat(paths.keyOf(null)).isNull();
    String marker = KeyPaths.newMarker();
    assertThat(KeyPaths.isMarker(marker)).isTrue();
    assertThat(paths.keyOf("/apps/oneca/oneca/prod/ca/" + marker)).as("a marker is never a key").isNull();
    assertThat(KeyPaths.newMarker()).isNotEqualTo(marker);
  }

  @Test
  void prefixes_splitIntoDirectoryAndNamePrefix() {
    assertThat(paths.directoryOf("list/")).isEqualTo("/apps/oneca/list");
    assertThat(KeyPaths.namePrefixOf("list/")).isEmpty();
    assertThat(paths.directoryOf("app")).isEqualTo("/apps/oneca");
    assertThat(KeyPaths.namePrefixOf("app")).isEqualTo("app");
    assertThat(paths.directoryOf("tenants/ac")).isEqualTo("/apps/oneca/tenants");
    assertThat(KeyPaths.namePrefixOf("tenants/ac")).isEqualTo("ac");
  }

  @Test
  void ancestors_outermostFirst() {
    assertThat(KeyPaths.ancestorsOf("/apps/oneca/a/b")).isEqualTo(List.of("/apps", "/apps/oneca", "/apps/oneca/a"));
    assertThat(KeyPaths.ancestorsOf("/a")).isEmpty();
  }

  @Test
  void framing_emptyValueIsPresent_noDataIsAbsent_foreignDataIsUnreadable() {
    assertThat(Framing.decode("zk://x/oneca", "k", Framing.encode(new byte[0]), 7))
        .hasValueSatisfying(v -> assertThat(v.value()).isEmpty());
    assertThat(Framing.decode("zk://x/oneca", "k", Framing.NO_VALUE, 7)).isEmpty();
    assertThat(Framing.decode("zk://x/oneca", "k", null, 7)).isEmpty();
    Versioned<byte[]> v = Framing.decode("zk://x/oneca", "k", Framing.encode("abc".getBytes(UTF_8)), 9).orElseThrow();
    assertThat(v.value()).isEqualTo("abc".getBytes(UTF_8));
    assertThat(v.version()).isEqualTo(9);
    assertThatThrownBy(() -> Framing.decode("zk://x/oneca", "k", "plain".getBytes(UTF_8), 11))
        .isInstanceOfSatisfying(UnreadableRecordException.class, e -> {
          assertThat(e.key()).isEqualTo("k");
          assertThat(e.version()).isEqualTo(11);
        });
  }
}
