/**
 * OneCA's Kubernetes backend: a {@link io.oneca.api.store.VersionedStore} on Secrets, through the
 * fabric8 client with the JDK HTTP client.
 *
 * <p>The fabric8 jars are automatic modules (no split packages among them in 7.8.0). Besides the API
 * this module uses, it requires what fabric8 loads reflectively at run time (its client
 * implementation, the JDK HTTP client adapter, Jackson, {@code java.net.http}): explicit modules are
 * not resolved on the module path unless some module requires them.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.oneca.backend.k8s {
  requires transitive io.oneca.api;
  requires transitive kubernetes.client.api;
  requires kubernetes.model.core;
  requires kubernetes.model.common;
  requires kubernetes.client;
  requires io.fabric8.kubernetes.client.jdkhttp;
  requires java.net.http;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires org.snakeyaml.engine;

  exports io.oneca.backend.k8s;

  provides io.oneca.api.store.spi.StoreProvider with
      io.oneca.backend.k8s.internal.KubernetesStoreProvider;
}
