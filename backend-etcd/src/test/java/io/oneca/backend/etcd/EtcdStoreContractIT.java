package io.oneca.backend.etcd;

import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.VersionedStoreContract;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole store contract against a real single-node etcd, each client with its own jetcd client. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EtcdStoreContractIT extends VersionedStoreContract {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  @Override
  protected VersionedStore openClient() {
    return EtcdStore.builder().endpoints(ETCD.clientEndpoints()).keyPrefix("it/").build();
  }
}
