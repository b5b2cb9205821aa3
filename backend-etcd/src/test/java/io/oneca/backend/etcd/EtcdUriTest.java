package io.oneca.backend.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.InvalidRequestException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdUriTest {
  @TempDir
  Path dir;

  @Test
  void hostsPathAndTimeouts_areParsed() {
    EtcdStoreBuilder builder = EtcdUri.toBuilder(
        URI.create("etcd://10.0.0.1:2379,10.0.0.2:2379/prod/oneca?timeoutMillis=1500&connectTimeoutMillis=700"));

    assertThat(builder.endpoints).containsExactly("10.0.0.1:2379", "10.0.0.2:2379");
    assertThat(builder.keyPrefixOrDefault()).isEqualTo("prod/oneca/");
    assertThat(builder.requestTimeoutOrDefault()).isEqualTo(Duration.ofMillis(1500));
    assertThat(builder.connectTimeoutOrDefault()).isEqualTo(Duration.ofMillis(700));
    assertThat(builder.description()).isEqualTo("etcd://10.0.0.1:2379,10.0.0.2:2379/prod/oneca");
  }

  @Test
  void noPath_meansEmptyPrefixAndDefaults() {
    EtcdStoreBuilder builder = EtcdUri.toBuilder(URI.create("etcd://127.0.0.1:2379"));

    assertThat(builder.keyPrefixOrDefault()).isEmpty();
    assertThat(builder.requestTimeoutOrDefault()).isEqualTo(EtcdStoreBuilder.DEFAULT_REQUEST_TIMEOUT);
    assertThat(builder.connectTimeoutOrDefault()).isEqualTo(EtcdStoreBuilder.DEFAULT_CONNECT_TIMEOUT);
    assertThat(builder.tlsCa).isNull();
    assertThat(builder.user).isNull();
  }

  @Test
  void tlsAndCredentialFiles_areParsed() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    Path password = Files.writeString(dir.resolve("password"), "s3cret\n");

    EtcdStoreBuilder builder = EtcdUri.toBuilder(URI.create("etcd://h:2379/p?tlsCa=" + ca + "&tlsCert=" + cert
        + "&tlsKey=" + key + "&user=oneca&passwordFile=" + password));

    assertThat(builder.tlsCa).isEqualTo(ca);
    assertThat(builder.tlsCert).isEqualTo(cert);
    assertThat(builder.tlsKey).isEqualTo(key);
    assertThat(builder.user).isEqualTo("oneca");
    assertThat(builder.passwordFile).isEqualTo(password);
    assertThat(builder.description()).doesNotContain("s3cret").doesNotContain("oneca@").endsWith("(tls)");
  }

  @Test
  void invalidUris_areRejectedNamingTheProblem() {
    assertRejected("file:///tmp", "expected an etcd: URI");
    assertRejected("etcd:///prefix", "needs host:port");
    assertRejected("etcd://user:secret@h:2379/", "credentials do not belong");
    assertRejected("etcd://h:2379/?password=hunter2", "unknown parameter 'password'");
    assertRejected("etcd://h:2379/?timeoutMillis=0", "must be positive");
    assertRejected("etcd://h:2379/?timeoutMillis=soon", "whole number");
    assertRejected("etcd://h:2379/?timeoutMillis=1&timeoutMillis=2", "given twice");
    assertRejected("etcd://h:2379/?user=oneca", "user and passwordFile go together");
    assertRejected("etcd://h:2379/?tlsCert=/x", "tlsCert and tlsKey go together");
    assertRejected("etcd://h:2379/bad..prefix/../x", "'..'");
    assertRejected("etcd://h/", "must be host:port");
    assertRejected("etcd://h:2379/?tlsCa=/does/not/exist", "not a readable file");
  }

  @Test
  void rejectedUri_neverRepeatsAPasswordGivenInline() {
    assertThatThrownBy(() -> EtcdUri.toBuilder(URI.create("etcd://h:2379/?password=hunter2")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void provider_isFoundThroughStores() {
    assertThat(io.oneca.api.store.Stores.providers()).containsKey("etcd");
    assertThat(EtcdUri.PARAMETERS).containsAll(List.of("tlsCa", "passwordFile", "timeoutMillis"));
  }

  private static void assertRejected(String uri, String messagePart) {
    assertThatThrownBy(() -> EtcdUri.toBuilder(URI.create(uri)))
        .as(uri)
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(messagePart);
  }
}
