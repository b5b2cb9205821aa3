package io.oneca.backend.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Builder validation, without connecting to anything. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ZooKeeperStoreBuilderTest {
  @TempDir Path dir;

  @Test
  void settersValidate() {
    assertInvalid("connectString", () -> ZooKeeperStore.builder().connectString(""));
    assertInvalid("connectString", () -> ZooKeeperStore.builder().connectString("host"));
    assertInvalid("connectString", () -> ZooKeeperStore.builder().connectString("host:2181/chroot"));
    assertInvalid("connectString", () -> ZooKeeperStore.builder().connectString("u:p@host:2181"));
    assertInvalid("namespace", () -> ZooKeeperStore.builder().namespace("/oneca"));
    assertInvalid("namespace", () -> ZooKeeperStore.builder().namespace("a b"));
    assertInvalid("sessionTimeout", () -> ZooKeeperStore.builder().sessionTimeout(Duration.ofMillis(999)));
    assertInvalid("connectionTimeout", () -> ZooKeeperStore.builder().connectionTimeout(Duration.ofHours(1)));
    assertInvalid("ioThreads", () -> ZooKeeperStore.builder().ioThreads(65));
    assertInvalid("user", () -> ZooKeeperStore.builder().credentials("a:b", "pw".toCharArray()));
    assertInvalid("password", () -> ZooKeeperStore.builder().credentials("oneca", new char[0]));
  }

  @Test
  void settersRefuseSecondCall() {
    ZooKeeperStoreBuilder builder = ZooKeeperStore.builder().namespace("a");
    assertThatThrownBy(() -> builder.namespace("b")).isInstanceOf(IllegalStateException.class)
        .hasMessage("namespace was already set");
  }

  @Test
  void build_needsExactlyOneOfConnectStringAndClient() {
    assertThatThrownBy(() -> ZooKeeperStore.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void build_worldReadableWithoutCredentials_isRefused() {
    assertThatThrownBy(() -> ZooKeeperStore.builder().connectString("127.0.0.1:2181").worldReadable(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("credentials");
  }

  @Test
  void build_withoutCredentials_isRefusedBeforeConnecting() {
    assertThatThrownBy(() -> ZooKeeperStore.builder().connectString("127.0.0.1:2181").build())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.field()).isEqualTo("credentials");
          assertThat(e.getMessage()).contains("world:anyone").contains("allowOpenAcl");
        });
  }

  @Test
  void build_withoutCredentials_isAllowedWithTheExplicitOptIn() {
    ZooKeeperStore.builder().connectString("127.0.0.1:2181").allowOpenAcl(true).build().close();
  }

  @Test
  void passwordFile_trailingNewlineIgnored_passwordNeverShown() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "top-secret\r\n");
    ZooKeeperStoreBuilder builder = ZooKeeperStore.builder().credentialsFromFile("oneca", file);
    assertThat(builder.toString()).contains("user=oneca", "password=<set>").doesNotContain("top-secret");
  }

  private static void assertInvalid(String field, Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
