package io.oneca.backend.etcd.internal;

import io.oneca.api.store.VersionedStore;
import io.oneca.api.store.spi.StoreProvider;
import io.oneca.backend.etcd.EtcdStore;
import java.net.URI;

/**
 * Opens an {@link EtcdStore} for {@code etcd://} URIs through {@link io.oneca.api.store.Stores};
 * the syntax is documented on {@link EtcdStore#open(URI)}. Registered in
 * {@code META-INF/services}; not part of the public API.
 */
public final class EtcdStoreProvider implements StoreProvider {

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public EtcdStoreProvider() {}

  @Override
  public String scheme() {
    return "etcd";
  }

  @Override
  public VersionedStore open(URI uri) {
    return EtcdStore.open(uri);
  }
}
