package io.oneca.core.store;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** {@link InMemoryStore} against the store contract: every client a new client of one storage. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class InMemoryStoreContractTest extends VersionedStoreContract {
  private final InMemoryStore storage = InMemoryStore.create();

  @Override
  protected VersionedStore openClient() {
    return storage.newClient();
  }
}
