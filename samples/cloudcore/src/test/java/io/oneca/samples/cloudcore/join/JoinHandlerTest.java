package io.oneca.samples.cloudcore.join;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.oneca.api.Pem;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /v1/join} end to end: a real OneCA on an in-memory store, a real {@code HttpsServer}
 * on 127.0.0.1 serving a OneCA-issued identity, and the JDK's {@code HttpClient} trusting the CA.
 * Every rejection is checked for its status and code, an unchanged store and its audit record.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JoinHandlerTest {
  private static final String NODE = "edge-1";
  private static final JsonFactory JSON = new JsonFactory();

  private static InMemoryStore store;
  private static OneCa oneCa;
  private static ManagedIdentity serverIdentity;
  private static JoinTokens tokens;
  private static TokenRevocations revocations;
  private static ExecutorService listeners;
  private static HttpClient client;

  private HttpsServer server;
  private ExecutorService serverThreads;
  private JoinAudit audit;
  private URI joinUri;
  private Map<Object, Object> listingAtStart;

  @BeforeAll
  static void startCa() {
    store = InMemoryStore.create();
    oneCa = OneCa.builder().store(store).caKey("cloudcore/ca").allowPlaintextCaKey().build();
    oneCa.start();
    serverIdentity = oneCa.identity(IdentitySpec.builder("join-server").ipAddress("127.0.0.1").build());
    tokens = JoinTokens.fromKey("join-endpoint-test-key-of-32-byte".getBytes(StandardCharsets.US_ASCII));
    listeners = Executors.newSingleThreadExecutor();
    revocations = TokenRevocations.start(store, TokenRevocations.DEFAULT_KEY, listeners);
    client = HttpClient.newBuilder()
        .sslContext(TlsContexts.sslContext(null, ReloadingX509TrustManager.of(oneCa.ca().trustBundle())))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @AfterAll
  static void stopCa() throws InterruptedException {
    revocations.close();
    oneCa.close();
    store.close();
    listeners.shutdownNow();
    assertThat(listeners.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @BeforeEach
  void startServer() throws IOException {
    audit = JoinAudit.create();
    server = serve(new JoinHandler(oneCa, tokens, revocations, audit, JoinSettings.defaults()));
    listingAtStart = storeListing();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    server.stop(0);
    serverThreads.shutdownNow();
    assertThat(serverThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void join_validTokenAndCsr_chainVerifiesAgainstBundleAndHoldsTheCsrKey() throws Exception {
    TestCsrs.Csr csr = TestCsrs.forNode(NODE);
    String token = tokens.mint(NODE, Duration.ofMinutes(10), Instant.now());

    HttpResponse<String> response = post(body(token, csr.pem()));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
    Map<String, String> json = fields(response.body());
    List<X509Certificate> chain = Pem.decodeCertificates(json.get("certificateChainPem"));
    List<X509Certificate> bundle = Pem.decodeCertificates(json.get("caBundlePem"));
    X509Certificate leaf = chain.get(0);
    verifyChain(chain, bundle);
    assertThat(leaf.getPublicKey()).isEqualTo(csr.keyPair().getPublic());
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=" + NODE);
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, NODE));
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofHours(1).plusMinutes(5));
    assertThat(json).containsEntry("node", NODE)
        .containsEntry("serial", leaf.getSerialNumber().toString(16))
        .containsEntry("notAfter", leaf.getNotAfter().toInstant().toString())
        .containsEntry("caFingerprint", oneCa.ca().fingerprint().sha256Hex());
    assertThat(storeListing()).as("issuance stores nothing").isEqualTo(listingAtStart);
    JoinAuditRecord record = lastAudit();
    assertThat(record.outcome()).isEqualTo(JoinOutcome.ISSUED);
    assertThat(record.serial()).contains(leaf.getSerialNumber().toString(16));
    assertThat(record.node()).contains(NODE);
    assertThat(record.tokenId()).contains(tokens.verify(token, Instant.now()).id());
    assertThat(record.toLogLine()).doesNotContain(token);
  }

  @Test
  void join_ed25519AndRsaKeys_issued() {
    assertThat(post(body(validToken(), TestCsrs.forNode(NODE).keys(TestCsrs.ed25519(), "Ed25519").pem())).statusCode())
        .isEqualTo(200);
    assertThat(post(body(validToken(), TestCsrs.forNode(NODE).keys(TestCsrs.ec("secp384r1"), "SHA384withECDSA").pem()))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void join_garbageToken_401() {
    expectRejected(post(body("oneca1.garbage.token", TestCsrs.forNode(NODE).pem())), 401, JoinError.TOKEN_MALFORMED);
  }

  @Test
  void join_tokenOfAnotherCluster_401() {
    String foreign = JoinTokens.fromKey(new byte[32]).mint(NODE, Duration.ofMinutes(10), Instant.now());

    expectRejected(post(body(foreign, TestCsrs.forNode(NODE).pem())), 401, JoinError.TOKEN_INVALID);
  }

  @Test
  void join_expiredToken_401() {
    String expired = tokens.mint(NODE, Duration.ofMinutes(1), Instant.now().minus(Duration.ofHours(1)));

    expectRejected(post(body(expired, TestCsrs.forNode(NODE).pem())), 401, JoinError.TOKEN_EXPIRED);
    assertThat(lastAudit().tokenId()).isPresent();
  }

  @Test
  void join_revokedToken_401() {
    String token = validToken();
    revocations.revoke(tokens.verify(token, Instant.now()));
    listingAtStart = storeListing();

    expectRejected(post(body(token, TestCsrs.forNode(NODE).pem())), 401, JoinError.TOKEN_REVOKED);
  }

  @Test
  void join_tokenForAnotherNode_403() {
    String tokenForEdge2 = tokens.mint("edge-2", Duration.ofMinutes(10), Instant.now());

    expectRejected(post(body(tokenForEdge2, TestCsrs.forNode(NODE).pem())), 403, JoinError.CSR_NODE_MISMATCH);
    assertThat(lastAudit().node()).contains("edge-2");
  }

  @Test
  void join_csrForExtraName_403() {
    expectRejected(post(body(validToken(), TestCsrs.forNode(NODE).dnsName("kubernetes.default").pem())), 403,
        JoinError.CSR_NAME_NOT_ALLOWED);
  }

  @Test
  void join_csrRequestingCa_400() {
    expectRejected(post(body(validToken(), TestCsrs.forNode(NODE).ca().pem())), 400, JoinError.CSR_REQUESTS_CA);
  }

  @Test
  void join_csrWithWeakKey_400() {
    KeyPair weak = TestCsrs.rsa(1024);

    expectRejected(post(body(validToken(), TestCsrs.forNode(NODE).keys(weak, "SHA256withRSA").pem())), 400,
        JoinError.CSR_KEY_NOT_ALLOWED);
  }

  @Test
  void join_garbageBody_400() {
    expectRejected(post("this is not json"), 400, JoinError.MALFORMED_REQUEST);
  }

  @Test
  void join_unknownField_400() {
    String body = "{\"token\":\"" + validToken() + "\",\"csr\":\"x\",\"ttl\":\"10y\"}";

    expectRejected(post(body), 400, JoinError.UNKNOWN_FIELD);
  }

  @Test
  void join_oversizedBody_413() {
    String body = body(validToken(), "x".repeat(JoinSettings.DEFAULT_MAX_BODY_BYTES));

    expectRejected(post(body), 413, JoinError.BODY_TOO_LARGE);
  }

  @Test
  void join_wrongContentType_415() {
    HttpRequest request = HttpRequest.newBuilder(joinUri).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(body(validToken(), TestCsrs.forNode(NODE).pem()))).build();

    expectRejected(send(request), 415, JoinError.UNSUPPORTED_MEDIA_TYPE);
  }

  @Test
  void join_get_405WithAllow() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(joinUri).GET().build());

    expectRejected(response, 405, JoinError.METHOD_NOT_ALLOWED);
    assertThat(response.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void join_elevenFailures_eleventhIs429WithRetryAfter_evenForAValidRequest() {
    for (int i = 0; i < 10; i++) {
      assertThat(post("{}").statusCode()).as("failure %d", i + 1).isEqualTo(400);
    }

    HttpResponse<String> limited = post(body(validToken(), TestCsrs.forNode(NODE).pem()));

    expectRejected(limited, 429, JoinError.RATE_LIMITED);
    assertThat(limited.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
        seconds -> assertThat(seconds).isBetween(1L, 6L));
    assertThat(audit.count(JoinOutcome.RATE_LIMITED)).isEqualTo(1);
    assertThat(audit.count(JoinOutcome.REJECTED)).isEqualTo(10);
  }

  @Test
  void join_successes_notCharged() {
    for (int i = 0; i < 12; i++) {
      assertThat(post(body(validToken(), TestCsrs.forNode(NODE).pem())).statusCode()).as("join %d", i + 1).isEqualTo(200);
    }
    for (int i = 0; i < 10; i++) {
      assertThat(post("{}").statusCode()).as("failure %d", i + 1).isEqualTo(400);
    }

    assertThat(post("{}").statusCode()).isEqualTo(429);
  }

  @Test
  void join_caNotStarted_503() throws Exception {
    try (OneCa notStarted = OneCa.builder().store(store).caKey("cloudcore/ca").allowPlaintextCaKey().build()) {
      server.stop(0);
      server = serve(new JoinHandler(notStarted, tokens, revocations, audit, JoinSettings.defaults()));

      HttpResponse<String> response = post(body(validToken(), TestCsrs.forNode(NODE).pem()));

      expectFailed(response, 503, JoinError.CA_UNAVAILABLE);
    }
  }

  @Test
  void join_revocationListUnreadable_503FailClosed() throws Exception {
    try (InMemoryStore damaged = InMemoryStore.create()) {
      damaged.compareAndSet(TokenRevocations.DEFAULT_KEY, Precondition.absent(), new byte[] {0}).get(5, TimeUnit.SECONDS);
      try (TokenRevocations unreadable = TokenRevocations.start(damaged, TokenRevocations.DEFAULT_KEY, listeners)) {
        server.stop(0);
        server = serve(new JoinHandler(oneCa, tokens, unreadable, audit, JoinSettings.defaults()));

        expectFailed(post(body(validToken(), TestCsrs.forNode(NODE).pem())), 503, JoinError.REVOCATIONS_UNAVAILABLE);
      }
    }
  }

  @Test
  void logs_neverHoldTheTokenOrTheCsr() {
    String good = validToken();
    String expired = tokens.mint(NODE, Duration.ofMinutes(1), Instant.now().minus(Duration.ofHours(1)));
    String forged = good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BA" : "AA");
    String csr = TestCsrs.forNode(NODE).pem();
    String csrBody = csr.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      post(body(good, csr));
      post(body(expired, csr));
      post(body(forged, csr));
      post(body(tokens.mint("edge-2", Duration.ofMinutes(1), Instant.now()), csr));
      post("{\"token\": " + good + "}");
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);

    assertThat(log).as("control: the audit lines were captured").contains("join outcome=issued", "join outcome=rejected");
    assertThat(log).doesNotContain(good).doesNotContain(expired).doesNotContain(forged)
        .doesNotContain(good.split("\\.")[2]).doesNotContain(csrBody);
  }

  @Test
  void metrics_countAttemptsByOutcome() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JoinMetrics.of(audit).bindTo(registry);

    post(body(validToken(), TestCsrs.forNode(NODE).pem()));
    post("{}");

    assertThat(registry.get("cloudcore.join.attempts").tag("outcome", "issued").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("cloudcore.join.attempts").tag("outcome", "rejected").functionCounter().count()).isEqualTo(1);
    assertThat(audit.countsByErrorCode()).containsEntry("malformed_request", 1L);
  }

  private HttpsServer serve(JoinHandler handler) throws IOException {
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverIdentity.sslContext()));
    https.createContext(JoinHandler.PATH, handler);
    if (serverThreads == null) {
      serverThreads = Executors.newFixedThreadPool(2);
    }
    https.setExecutor(serverThreads);
    https.start();
    joinUri = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + JoinHandler.PATH);
    return https;
  }

  private void expectRejected(HttpResponse<String> response, int status, JoinError error) {
    assertError(response, status, error);
    assertThat(lastAudit().outcome()).isEqualTo(error == JoinError.RATE_LIMITED ? JoinOutcome.RATE_LIMITED : JoinOutcome.REJECTED);
    assertThat(storeListing()).as("keys and versions in the store after a rejected join").isEqualTo(listingAtStart);
  }

  private void expectFailed(HttpResponse<String> response, int status, JoinError error) {
    assertError(response, status, error);
    assertThat(lastAudit().outcome()).isEqualTo(JoinOutcome.FAILED);
  }

  private void assertError(HttpResponse<String> response, int status, JoinError error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    Map<String, String> json = fields(response.body());
    assertThat(json.keySet()).containsExactlyInAnyOrder("error", "message");
    assertThat(json.get("error")).isEqualTo(error.code());
    assertThat(json.get("message")).isNotBlank().doesNotContain("oneca1.").doesNotContain("Exception");
    assertThat(lastAudit().errorCode()).contains(error.code());
    assertThat(lastAudit().status()).isEqualTo(status);
    assertThat(lastAudit().source()).isEqualTo("127.0.0.1");
  }

  private String validToken() {
    return tokens.mint(NODE, Duration.ofMinutes(10), Instant.now());
  }

  private JoinAuditRecord lastAudit() {
    List<JoinAuditRecord> records = audit.recent();
    assertThat(records).isNotEmpty();
    return records.get(records.size() - 1);
  }

  /** Every key under cloudcore/ with its version. */
  private static Map<Object, Object> storeListing() {
    return store.list("cloudcore/").join().stream()
        .collect(Collectors.toMap(Versioned::key, Versioned::version, (a, b) -> a, TreeMap::new));
  }

  private HttpResponse<String> post(String body) {
    return send(HttpRequest.newBuilder(joinUri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(HttpRequest.newBuilder(request, (name, value) -> true).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String body(String token, String csrPem) {
    return "{\"token\":\"" + token + "\",\"csr\":\"" + csrPem.replace("\r", "").replace("\n", "\\n") + "\"}";
  }

  private static Map<String, String> fields(String json) {
    Map<String, String> fields = new LinkedHashMap<>();
    try (JsonParser parser = JSON.createParser(json)) {
      assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        assertThat(parser.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
        fields.put(name, parser.getText());
      }
    } catch (IOException e) {
      throw new AssertionError("not a JSON object of strings: " + json, e);
    }
    return fields;
  }

  private static void verifyChain(List<X509Certificate> chain, List<X509Certificate> bundle) throws Exception {
    Set<TrustAnchor> anchors = bundle.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
    PKIXParameters parameters = new PKIXParameters(anchors);
    parameters.setRevocationEnabled(false);
    List<X509Certificate> path = chain.stream().filter(c -> !bundle.contains(c)).collect(Collectors.toList());
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
  }
}
