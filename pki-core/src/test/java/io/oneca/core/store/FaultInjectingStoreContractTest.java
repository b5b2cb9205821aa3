package io.oneca.core.store;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.VersionedStoreContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** With no fault armed, {@link FaultInjectingStore} is a store like any other. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class FaultInjectingStoreContractTest extends VersionedStoreContract {
  private final InMemoryStore storage = InMemoryStore.create();

  @Override
  protected VersionedStore openClient() {
    return FaultInjectingStore.wrap(storage.newClient());
  }
}
