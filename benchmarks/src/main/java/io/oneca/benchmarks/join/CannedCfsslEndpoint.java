package io.oneca.benchmarks.join;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.Pem;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A trivial cfssl-shaped endpoint on loopback that answers every request of a {@link CsrMix} with a
 * certificate signed once, up front, by an in-process OneCA: no crypto per request, only HTTP and a
 * map lookup. Driving it measures the load client itself (its ceiling and CPU per request), so the
 * client's share of a real run can be judged. It runs in the driver's JVM.
 */
final class CannedCfsslEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<ByteBuffer, byte[]> answers;

  private CannedCfsslEndpoint(HttpServer server, ExecutorService executor, Map<ByteBuffer, byte[]> answers) {
    this.server = server;
    this.executor = executor;
    this.answers = answers;
  }

  /**
   * Signs every request of the mix and starts serving on a free loopback port.
   *
   * @param threads handler threads (one per client connection)
   */
  static CannedCfsslEndpoint start(CsrMix mix, RequestFormat format, int threads) throws IOException {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and
    // the client's delayed ACK add ~40 ms to every answer. Read once, when the server first starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Map<ByteBuffer, byte[]> answers = new HashMap<>();
    try (InMemoryStore store = InMemoryStore.create();
        OneCa ca = OneCa.builder().store(store).allowPlaintextCaKey().auditSink(event -> { }).build()) {
      ca.start();
      for (CsrSample csr : mix.samples()) {
        String pem = Pem.encodeCertificates(List.of(ca.issue(CertificateRequest.fromCsr(csr.der())
            .profile(CertificateProfile.SERVER_AND_CLIENT).dnsName(csr.dnsName()).build()).certificate()));
        String json = "{\"success\":true,\"result\":{\"certificate\":\""
            + pem.replace("\n", "\\n") + "\"},\"errors\":[],\"messages\":[]}";
        answers.put(ByteBuffer.wrap(format.body(csr)), json.getBytes(StandardCharsets.UTF_8));
      }
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "canned-endpoint");
      t.setDaemon(true);
      return t;
    });
    CannedCfsslEndpoint endpoint = new CannedCfsslEndpoint(server, executor, Map.copyOf(answers));
    server.createContext(format.path(), endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      byte[] answer = answers.get(ByteBuffer.wrap(in.readAllBytes()));
      if (answer == null) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  /** Returns the endpoint's base URL. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
