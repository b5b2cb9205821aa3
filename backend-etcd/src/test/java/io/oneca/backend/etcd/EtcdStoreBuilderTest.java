package io.oneca.backend.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdStoreBuilderTest {
  @TempDir
  Path dir;

  @Test
  void endpoints_acceptHostPortAndHttpUrls() {
    EtcdStoreBuilder builder = EtcdStore.builder().endpoints("127.0.0.1:2379", "http://10.0.0.2:2380", "https://e3:2381");
    assertThat(builder.endpoints).containsExactly("127.0.0.1:2379", "10.0.0.2:2380", "e3:2381");
  }

  @Test
  void invalidSettings_areRejectedNamingTheField() {
    assertField(() -> EtcdStore.builder().endpoints(List.of()), "endpoints");
    assertField(() -> EtcdStore.builder().endpoints("no-port"), "endpoints");
    assertField(() -> EtcdStore.builder().endpoints("h:99999"), "endpoints");
    assertField(() -> EtcdStore.builder().keyPrefix("prod"), "keyPrefix");
    assertField(() -> EtcdStore.builder().keyPrefix("a//"), "prefix");
    assertField(() -> EtcdStore.builder().requestTimeout(Duration.ZERO), "requestTimeout");
    assertField(() -> EtcdStore.builder().connectTimeout(Duration.ofHours(2)), "connectTimeout");
    assertField(() -> EtcdStore.builder().credentials(" ", new char[] {'x'}), "user");
    assertField(() -> EtcdStore.builder().credentials("u", new char[0]), "password");
    assertField(() -> EtcdStore.builder().tlsCa(dir.resolve("missing.pem")), "tlsCa");
    assertField(() -> EtcdStore.builder().build(), "endpoints");
  }

  @Test
  void settingTwice_isRejected() {
    EtcdStoreBuilder builder = EtcdStore.builder().requestTimeout(Duration.ofSeconds(1));
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("requestTimeout was already set");
  }

  @Test
  void clientCertificateWithoutCa_isRejectedAtBuild() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    EtcdStoreBuilder builder = EtcdStore.builder().endpoints("127.0.0.1:2379").tlsClientCertificate(cert, cert);
    assertField(builder::build, "tlsCa");
  }

  @Test
  void emptyPasswordFile_isRejectedWithoutReadingItIntoTheMessage() throws Exception {
    Path empty = Files.writeString(dir.resolve("password"), "\n");
    EtcdStoreBuilder builder = EtcdStore.builder().endpoints("127.0.0.1:2379").credentials("u", empty).allowInsecureTransport();
    assertField(builder::build, "passwordFile");
  }

  @Test
  void credentialsWithoutTls_areRefusedAtBuild() {
    EtcdStoreBuilder builder = EtcdStore.builder().endpoints("127.0.0.1:2379").credentials("u", "s3cret".toCharArray());
    assertThatThrownBy(builder::build).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.field()).isEqualTo("credentials");
      assertThat(e.getMessage()).contains("plain text").contains("allowInsecureTransport").doesNotContain("s3cret");
    });
  }

  @Test
  void uriWithCredentialsWithoutTls_isRefusedAtOpen() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "s3cret");
    assertThatThrownBy(() -> io.oneca.api.store.Stores.open("etcd://127.0.0.1:2379?user=u&passwordFile=" + password))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("credentials"));
  }

  @Test
  void credentialsWithoutTls_areAcceptedWithTheExplicitOptIn() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "s3cret");
    EtcdStore.builder().endpoints("127.0.0.1:2379").credentials("u", "s3cret".toCharArray()).allowInsecureTransport()
        .build().close();
    io.oneca.api.store.Stores.open("etcd://127.0.0.1:2379?user=u&passwordFile=" + password + "&allowInsecureTransport=true")
        .close();
    assertField(() -> io.oneca.api.store.Stores.open("etcd://127.0.0.1:2379?allowInsecureTransport=yes"), "uri");
  }

  @Test
  void password_isCopiedSoTheCallerMayZeroIt() {
    char[] password = "s3cret".toCharArray();
    EtcdStoreBuilder builder = EtcdStore.builder().credentials("u", password);
    java.util.Arrays.fill(password, '\0');
    assertThat(builder.password).containsExactly("s3cret".toCharArray());
  }

  @Test
  void unreachableEtcd_failsOperationsWithStoreUnavailable_andBackendNamesNoCredentials() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path password = Files.writeString(dir.resolve("password"), "s3cret");
    try (EtcdStore store = EtcdStore.builder().endpoints("127.0.0.1:" + port).keyPrefix("t/")
        .requestTimeout(Duration.ofMillis(300)).credentials("oneca", password).allowInsecureTransport().build()) {
      assertThat(store.backend()).isEqualTo("etcd://127.0.0.1:" + port + "/t").doesNotContain("s3cret");
      assertThatThrownBy(() -> store.get("oneca/ca").join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("oneca/ca")
          .hasMessageNotContaining("s3cret");
    }
  }

  private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOf(InvalidRequestException.class).hasMessageContaining(field);
  }
}
