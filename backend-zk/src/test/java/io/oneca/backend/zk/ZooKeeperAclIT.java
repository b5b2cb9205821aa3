package io.oneca.backend.zk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Digest credentials and ACLs: only OneCA's identity can change (or, by default, read) the CA
 * record; anyone else gets a {@link ZooKeeperAccessDeniedException} that names the key, and the
 * record stays as it was.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperAclIT {
  private static final String PASSWORD = "s3cret-Pa55word";
  private static TestingServer server;
  private final List<VersionedStore> stores = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = ZkServers.standalone();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(VersionedStore::close);
  }

  @Test
  void privateAcl_clientWithoutCredentials_cannotReadChangeOrDeleteTheCa() {
    VersionedStore owner = store("acl-private", "oneca", PASSWORD, false);
    Versioned<byte[]> ca = created(owner.compareAndSet("oneca/ca", Precondition.absent(), bytes("ca record")));

    for (VersionedStore intruder : List.of(store("acl-private", null, null, false),
        store("acl-private", "oneca", "wrong-password", false))) {
      assertDenied(intruder.get("oneca/ca"), "oneca/ca", "get");
      assertDenied(intruder.compareAndSet("oneca/ca", Precondition.atVersion(ca.version()), bytes("evil")), "oneca/ca", "compareAndSet");
      assertDenied(intruder.compareAndSet("oneca/ca", Precondition.absent(), bytes("evil")), "oneca/ca", "compareAndSet");
      assertDenied(intruder.delete("oneca/ca", Precondition.atVersion(ca.version())), "oneca/ca", "delete");
      assertDenied(intruder.compareAndSet("oneca/other", Precondition.absent(), bytes("squat")), "oneca/other", "compareAndSet");
    }

    assertThat(owner.get("oneca/ca").join()).hasValueSatisfying(v -> {
      assertThat(v.version()).isEqualTo(ca.version());
      assertThat(v.value()).isEqualTo(bytes("ca record"));
    });
    assertThat(owner.get("oneca/other").join()).isEmpty();
  }

  @Test
  void worldReadableAcl_othersReadButCannotChangeOrDeleteTheCa() {
    VersionedStore owner = store("acl-public", "oneca", PASSWORD, true);
    Versioned<byte[]> ca = created(owner.compareAndSet("oneca/ca", Precondition.absent(), bytes("ca record")));
    VersionedStore reader = store("acl-public", null, null, false);

    assertThat(reader.get("oneca/ca").join()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(ca.version()));
    assertThat(reader.list("oneca/").join()).hasSize(1);
    assertDenied(reader.compareAndSet("oneca/ca", Precondition.atVersion(ca.version()), bytes("evil")), "oneca/ca", "compareAndSet");
    assertDenied(reader.delete("oneca/ca", Precondition.atVersion(ca.version())), "oneca/ca", "delete");

    Versioned<byte[]> replaced = created(owner.compareAndSet("oneca/ca", Precondition.atVersion(ca.version()), bytes("rotated")));
    assertThat(reader.get("oneca/ca").join()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(replaced.version()));
  }

  private static void assertDenied(CompletableFuture<?> future, String key, String operation) {
    Throwable failure;
    try {
      Object value = future.join();
      throw new AssertionError(operation + " of " + key + " was allowed: " + value);
    } catch (CompletionException e) {
      failure = e.getCause();
    }
    assertThat(failure).isInstanceOf(ZooKeeperAccessDeniedException.class);
    ZooKeeperAccessDeniedException denied = (ZooKeeperAccessDeniedException) failure;
    assertThat(denied.key()).isEqualTo(key);
    assertThat(denied.operation()).isEqualTo(operation);
    assertThat(denied.getMessage()).contains("'" + key + "'").contains(operation).contains("zk://")
        .doesNotContain(PASSWORD).doesNotContain("wrong-password");
  }

  private static Versioned<byte[]> created(CompletableFuture<CasResult> result) {
    return ((CasResult.Applied) result.join()).value();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private VersionedStore store(String namespace, String user, String password, boolean worldReadable) {
    ZooKeeperStoreBuilder builder = ZooKeeperStore.builder()
        .connectString(server.getConnectString())
        .namespace(namespace)
        .connectionTimeout(Duration.ofSeconds(10))
        .sessionTimeout(Duration.ofSeconds(10));
    if (user != null) {
      builder.credentials(user, password.toCharArray());
    } else {
      builder.allowOpenAcl(true); // the outsider without credentials
    }
    if (worldReadable) {
      builder.worldReadable(true);
    }
    VersionedStore store = builder.build();
    stores.add(store);
    return store;
  }
}
