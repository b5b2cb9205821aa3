/**
 * OneCA's Kubernetes backend: a {@link io.oneca.api.store.VersionedStore} on Secrets, through the
 * fabric8 client with the JDK HTTP client. The fabric8 jars are automatic modules (no split
 * packages among them in 7.8.0).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.oneca.backend.k8s {
  requires transitive io.oneca.api;
  requires transitive kubernetes.client.api;
  requires kubernetes.model.core;
  requires kubernetes.model.common;

  exports io.oneca.backend.k8s;

  provides io.oneca.api.store.spi.StoreProvider with
      io.oneca.backend.k8s.internal.KubernetesStoreProvider;
}
