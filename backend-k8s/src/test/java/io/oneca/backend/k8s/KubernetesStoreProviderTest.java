package io.oneca.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.Stores;
import io.oneca.backend.k8s.internal.KubernetesStoreProvider;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** URI parsing and builder rules; no server is contacted (building a client does not connect). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KubernetesStoreProviderTest {
  private final KubernetesClient client = new KubernetesClientBuilder()
      .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").withNamespace("from-config").build())
      .withHttpClientFactory(new JdkHttpClientFactory())
      .build();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void serviceLoader_findsTheK8sScheme() {
    assertThat(Stores.providers()).containsKey("k8s");
    assertThat(Stores.providers().get("k8s")).isInstanceOf(KubernetesStoreProvider.class);
  }

  @Test
  void namespaceAndPrefix_fromTheUri() {
    try (KubernetesSecretStore store = KubernetesStoreProvider.configure(URI.create("k8s://cloudcore?namePrefix=edge-ca-"))
        .client(client).build()) {
      assertThat(store.backend()).isEqualTo("k8s://cloudcore?namePrefix=edge-ca-");
    }
  }

  @Test
  void emptyAuthority_usesTheConfiguredNamespaceAndDefaultPrefix() {
    try (KubernetesSecretStore store = KubernetesStoreProvider.configure(URI.create("k8s:///")).client(client).build()) {
      assertThat(store.backend()).isEqualTo("k8s://from-config?namePrefix=oneca-");
    }
  }

  @Test
  void contextAndTimeout_areForTheStoresOwnClientOnly() {
    KubernetesSecretStore.Builder builder =
        KubernetesStoreProvider.configure(URI.create("k8s://ns?context=kind-dev&requestTimeoutMillis=2500"));
    assertThatThrownBy(() -> builder.client(client).build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void malformedUris_areRejectedNamingTheUri() {
    List<String> bad = List.of(
        "etcd://ns", "k8s:ns", "k8s://user@ns", "k8s://ns:443", "k8s://ns/path", "k8s://ns#frag",
        "k8s://ns?unknown=1", "k8s://ns?namePrefix", "k8s://ns?namePrefix=a-&namePrefix=b-",
        "k8s://ns?namePrefix=Upper", "k8s://ns?requestTimeoutMillis=soon", "k8s://ns?requestTimeoutMillis=0",
        "k8s://Bad_Namespace", "k8s://a.b");
    for (String uri : bad) {
      assertThatThrownBy(() -> KubernetesStoreProvider.configure(URI.create(uri)), uri)
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void builderSetters_validateAndRefuseASecondCall() {
    KubernetesSecretStore.Builder builder = KubernetesSecretStore.builder().namespace("ns");
    assertThatThrownBy(() -> builder.namespace("other")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already set");
    assertThatThrownBy(() -> KubernetesSecretStore.builder().namePrefix("")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> KubernetesSecretStore.builder().requestTimeout(java.time.Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> KubernetesSecretStore.builder().context(" ")).isInstanceOf(InvalidRequestException.class);
  }
}
