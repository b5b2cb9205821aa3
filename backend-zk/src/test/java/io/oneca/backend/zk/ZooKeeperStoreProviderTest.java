package io.oneca.backend.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.Stores;
import io.oneca.backend.zk.internal.ZooKeeperStoreProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code zk:} URI syntax, without connecting to anything. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ZooKeeperStoreProviderTest {
  @TempDir Path dir;

  @Test
  void serviceLoader_findsTheZkProvider() {
    assertThat(Stores.providers()).containsKey("zk");
    assertThat(Stores.providers().get("zk")).isInstanceOf(ZooKeeperStoreProvider.class);
  }

  @Test
  void hostsNamespaceAndParameters_areApplied() throws Exception {
    Path password = Files.writeString(dir.resolve("pw"), "secret-value\n");
    String described = ZooKeeperStoreProvider.configure(URI.create(
        "zk://zk1:2181,zk2:2182/apps/oneca?sessionTimeoutMillis=20000&connectionTimeoutMillis=5000"
            + "&retryBaseSleepMillis=50&retryMaxRetries=3&user=oneca&passwordFile=" + password
            + "&worldReadable=true&ioThreads=2")).toString();

    assertThat(described)
        .contains("connectString=zk1:2181,zk2:2182", "namespace=apps/oneca", "sessionTimeout=PT20S",
            "connectionTimeout=PT5S", "retryPolicy=ExponentialBackoffRetry", "user=oneca", "password=<set>",
            "worldReadable=true", "ioThreads=2")
        .doesNotContain("secret-value");
  }

  @Test
  void allowOpenAcl_isParsedAndWithoutItAStoreWithoutCredentialsIsRefused() {
    assertThat(ZooKeeperStoreProvider.configure(URI.create("zk://127.0.0.1:2181/oneca?allowOpenAcl=true")).toString())
        .contains("allowOpenAcl=true");
    assertThatThrownBy(() -> Stores.open("zk://127.0.0.1:2181/oneca"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("credentials"));
    assertThatThrownBy(() -> ZooKeeperStoreProvider.configure(URI.create("zk://127.0.0.1:2181/oneca?allowOpenAcl=yes")))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void noPath_usesDefaultNamespace() {
    assertThat(ZooKeeperStoreProvider.configure(URI.create("zk://127.0.0.1:2181")).toString())
        .contains("namespace=null");
    assertThat(ZooKeeperStoreProvider.configure(URI.create("zk://127.0.0.1:2181/")).toString())
        .contains("namespace=null");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "zk:opaque",
      "zk:///oneca",
      "zk://host/oneca",
      "zk://host:0/oneca",
      "zk://host:70000/oneca",
      "zk://host:x/oneca",
      "zk://host:2181,/oneca",
      "zk://host:2181/a//b",
      "zk://host:2181/a/../b",
      "zk://host:2181/oneca?unknown=1",
      "zk://host:2181/oneca?sessionTimeoutMillis=abc",
      "zk://host:2181/oneca?sessionTimeoutMillis=10",
      "zk://host:2181/oneca?sessionTimeoutMillis=2000&sessionTimeoutMillis=3000",
      "zk://host:2181/oneca?user=oneca",
      "zk://host:2181/oneca?worldReadable=yes",
      "zk://host:2181/oneca?worldReadable=true",
      "zk://host:2181/oneca?retryMaxRetries=100",
      "zk://host:2181/oneca?ioThreads=0",
      "zk://host:2181/oneca#frag",
      "etcd://host:2181/oneca",
  })
  void invalidUris_areRejectedNamingTheUri(String uri) {
    assertThatThrownBy(() -> ZooKeeperStoreProvider.configure(URI.create(uri)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("uri"));
  }

  @Test
  void inlineCredentials_areRejectedWithoutRepeatingThem() {
    for (String uri : new String[] {"zk://oneca:hunter22@host:2181/oneca", "zk://host:2181/oneca?user=u&password=hunter22"}) {
      assertThatThrownBy(() -> ZooKeeperStoreProvider.configure(URI.create(uri)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageNotContaining("hunter22");
    }
  }

  @Test
  void missingPasswordFile_namesTheFileNotAPassword() {
    Path missing = dir.resolve("absent");
    assertThatThrownBy(() -> ZooKeeperStoreProvider.configure(
        URI.create("zk://host:2181/oneca?user=oneca&passwordFile=" + missing)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.field()).isEqualTo("uri");
          assertThat(e.getMessage()).contains(missing.toString());
        });
  }

  @Test
  void storesOpen_badZkUri_failsBeforeConnecting() {
    assertThatThrownBy(() -> Stores.open("zk://host:2181/oneca?nope=1"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("nope");
  }
}
