package io.oneca.backend.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Stores;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** etcd with authentication enabled: a user limited to OneCA's key prefix, password from a file. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdAuthIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();
  private static final String PASSWORD = "correct-horse-battery";

  @TempDir
  static Path dir;
  static Path passwordFile;

  @BeforeAll
  static void enableAuth() throws Exception {
    passwordFile = Files.writeString(dir.resolve("etcd-password"), PASSWORD + "\n");
    try (Client admin = Client.builder().endpoints(ETCD.clientEndpoints().toArray(String[]::new)).build()) {
      var auth = admin.getAuthClient();
      auth.roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
      auth.userAdd(bytes("root"), bytes("root-password")).get(10, TimeUnit.SECONDS);
      auth.userGrantRole(bytes("root"), bytes("root")).get(10, TimeUnit.SECONDS);
      auth.roleAdd(bytes("oneca")).get(10, TimeUnit.SECONDS);
      auth.roleGrantPermission(bytes("oneca"), bytes("tenant/"), bytes("tenant0"), Permission.Type.READWRITE)
          .get(10, TimeUnit.SECONDS);
      auth.userAdd(bytes("oneca"), bytes(PASSWORD)).get(10, TimeUnit.SECONDS);
      auth.userGrantRole(bytes("oneca"), bytes("oneca")).get(10, TimeUnit.SECONDS);
      auth.authEnable().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void userWithPasswordFile_writesReadsAndSubscribesUnderItsPrefix_viaUri() throws Exception {
    String uri = "etcd://" + ETCD.clientEndpoints().get(0).substring("http://".length())
        + "/tenant?user=oneca&passwordFile=" + passwordFile + "&allowInsecureTransport=true";
    ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    try (VersionedStore store = Stores.open(uri)) {
      assertThat(store.backend()).doesNotContain(PASSWORD);
      LinkedBlockingQueue<Optional<Versioned<byte[]>>> states = new LinkedBlockingQueue<>();
      try (Subscription subscription = store.subscribe(KeyScope.key("oneca/ca"), (k, s) -> states.add(s), listenerThread)) {
        assertThat(states.poll(30, TimeUnit.SECONDS)).isEmpty();

        CasResult created = store.compareAndSet("oneca/ca", Precondition.absent(), "ca".getBytes(UTF_8)).join();

        assertThat(created.applied()).isTrue();
        assertThat(store.get("oneca/ca").join().orElseThrow().value()).isEqualTo("ca".getBytes(UTF_8));
        Versioned<byte[]> delivered = states.poll(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(delivered.version()).isEqualTo(((CasResult.Applied) created).value().version());
        assertThat(delivered.value()).isEqualTo("ca".getBytes(UTF_8));
        assertThat(subscription.isClosed()).isFalse();
      }
    } finally {
      listenerThread.shutdownNow();
    }
  }

  @Test
  void wrongPassword_failsTypedAndNeverShowsThePassword() {
    char[] wrong = "wrong-password-123".toCharArray();
    try (EtcdStore store = EtcdStore.builder().endpoints(ETCD.clientEndpoints()).keyPrefix("tenant/")
        .credentials("oneca", wrong).allowInsecureTransport().build()) {
      assertThatThrownBy(() -> store.get("oneca/ca").join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("oneca/ca")
          .hasMessageNotContaining("wrong-password-123");
    }
  }

  @Test
  void userOutsideItsPrefix_isDenied_andTheWriteIsReportedAsRejectedNotUnknown() {
    try (EtcdStore store = EtcdStore.builder().endpoints(ETCD.clientEndpoints()).keyPrefix("other/")
        .credentials("oneca", passwordFile).allowInsecureTransport().build()) {
      assertThatThrownBy(() -> store.compareAndSet("oneca/ca", Precondition.absent(), new byte[] {1}).join())
          .cause()
          .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
            assertThat(e.writeOutcomeUnknown()).isFalse();
            assertThat(e.getMessage()).contains("PERMISSION_DENIED").doesNotContain(PASSWORD);
          });
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
