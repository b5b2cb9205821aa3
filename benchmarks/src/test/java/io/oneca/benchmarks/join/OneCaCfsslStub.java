package io.oneca.benchmarks.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny in-process endpoint that speaks cfssl's sign API and signs with a real OneCA, and that can
 * be told to answer wrongly in several ways, counting how many right and wrong answers it sent.
 */
final class OneCaCfsslStub implements AutoCloseable {

  /** How the stub answers. */
  enum Mode {
    /** Signs the request's key for its hosts. */
    CORRECT,
    /** Signs a different key (a certificate for someone else). */
    WRONG_KEY,
    /** Signs the right key for another name. */
    WRONG_NAME,
    /** HTTP 400 with cfssl's error JSON. */
    HTTP_ERROR,
    /** HTTP 200 with success=false. */
    SUCCESS_FALSE,
    /** HTTP 200 with a body that is not JSON. */
    GARBAGE,
    /** HTTP 200, success=true, certificate is not a certificate. */
    BAD_CERTIFICATE,
    /** Every third answer WRONG_KEY, the others CORRECT. */
    EVERY_THIRD_WRONG
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final InMemoryStore store;
  private final OneCa ca;
  private final Mode mode;
  private final boolean closeConnections;
  private final byte[] otherCsr;
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong correct = new AtomicLong();
  private final AtomicLong wrong = new AtomicLong();

  OneCaCfsslStub(Mode mode, boolean closeConnections) throws Exception {
    this.mode = mode;
    this.closeConnections = closeConnections;
    this.otherCsr = CsrMix.generate("p256=1", 1).get(0).der();
    System.setProperty("sun.net.httpserver.nodelay", "true");
    store = InMemoryStore.create();
    ca = OneCa.builder().store(store).allowPlaintextCaKey().auditSink(event -> { }).build();
    ca.start();
    executor = Executors.newFixedThreadPool(4);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(CfsslSignFormat.PATH, this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  long correct() {
    return correct.get();
  }

  long wrong() {
    return wrong.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      JsonNode request = JSON.readTree(in);
      byte[] csr = der(request.path("certificate_request").asText());
      String host = request.path("hosts").path(0).asText();
      long n = served.incrementAndGet();
      Mode answer = mode == Mode.EVERY_THIRD_WRONG ? (n % 3 == 0 ? Mode.WRONG_KEY : Mode.CORRECT) : mode;
      (answer == Mode.CORRECT ? correct : wrong).incrementAndGet();
      switch (answer) {
        case CORRECT -> send(exchange, 200, success(sign(csr, host)));
        case WRONG_KEY -> send(exchange, 200, success(sign(otherCsr, host)));
        case WRONG_NAME -> send(exchange, 200, success(sign(csr, "someone-else.example")));
        case HTTP_ERROR -> send(exchange, 400,
            "{\"success\":false,\"result\":null,\"errors\":[{\"code\":9002,\"message\":\"CSR Decode failed\"}]}");
        case SUCCESS_FALSE -> send(exchange, 200, "{\"success\":false,\"result\":null,\"errors\":[]}");
        case GARBAGE -> send(exchange, 200, "<html>not json</html>");
        case BAD_CERTIFICATE -> send(exchange, 200, success("-----BEGIN CERTIFICATE-----\nAAAA\n"));
        default -> throw new IllegalStateException(answer.name());
      }
    }
  }

  private String sign(byte[] csr, String host) {
    return Pem.encodeCertificates(List.of(ca.issue(CertificateRequest.fromCsr(csr)
        .profile(CertificateProfile.SERVER_AND_CLIENT).dnsName(host).build()).certificate()));
  }

  private static String success(String certificate) throws IOException {
    ObjectNode answer = JSON.createObjectNode().put("success", true);
    answer.putObject("result").put("certificate", certificate);
    answer.putArray("errors");
    answer.putArray("messages");
    return JSON.writeValueAsString(answer);
  }

  private void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (closeConnections) {
      exchange.getResponseHeaders().set("Connection", "close");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] der(String pem) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(base64);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    ca.close();
    store.close();
  }
}
