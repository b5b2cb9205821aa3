package io.oneca.backend.k8s;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The whole store contract against fabric8's mock API server in CRUD mode. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubernetesSecretStoreContractIT extends VersionedStoreContract {
  private static MockApiServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = new MockApiServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected VersionedStore openClient() {
    return server.newStore(Duration.ofSeconds(10));
  }
}
