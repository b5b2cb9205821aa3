package io.oneca.backend.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1 and a free port, with {@link FaultyDispatcher}
 * in front of it so tests can inject faults at the HTTP level, and clients on the JDK HTTP client.
 */
final class MockApiServer implements AutoCloseable {
  static final String NAMESPACE = "oneca-test";

  private final KubernetesMockServer server;
  private final FaultyDispatcher faults;
  private final List<KubernetesClient> clients = new ArrayList<>();

  MockApiServer() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    faults = new FaultyDispatcher(new KubernetesMixedDispatcher(responses));
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, faults, false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
  }

  FaultyDispatcher faults() {
    return faults;
  }

  /** A new client; closed with this server. */
  synchronized KubernetesClient newClient(Duration requestTimeout) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(server.url("/"))
        .withNamespace(NAMESPACE)
        .withTrustCerts(true)
        .withRequestTimeout((int) requestTimeout.toMillis())
        .withRequestRetryBackoffLimit(0)
        .build();
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
    clients.add(client);
    return client;
  }

  /** A store on its own client, which the store closes. */
  KubernetesSecretStore newStore(Duration requestTimeout) {
    KubernetesClient client = newClient(requestTimeout);
    return KubernetesSecretStore.owning(client, NAMESPACE, "oneca-");
  }

  @Override
  public synchronized void close() {
    for (KubernetesClient client : clients) {
      client.close();
    }
    clients.clear();
    server.destroy();
  }
}
