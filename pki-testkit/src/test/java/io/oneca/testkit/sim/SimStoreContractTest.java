package io.oneca.testkit.sim;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The simulated store, without faults, keeps the store contract (driven by a real thread). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SimStoreContractTest extends VersionedStoreContract {
  private final SimScheduler scheduler = new SimScheduler(20);
  private final SimScheduler.Driver driver = scheduler.startDriver();
  private final SimStore storage = new SimStore(scheduler, 20, StoreFaults.NONE);
  private int clients;

  @Override
  protected VersionedStore openClient() {
    return storage.client("client-" + ++clients);
  }

  @AfterEach
  void stopDriver() {
    driver.close();
  }
}
