package io.oneca.samples.cloudcore.join;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.core.OneCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/join}: an edge node sends {@code {"token": ..., "csr": ...}} and receives its
 * certificate. Mount it on an {@code HttpsServer} (never plain HTTP: the token is a bearer secret):
 *
 * <pre>{@code
 * server.createContext("/v1/join", new JoinHandler(oneCa, joinTokens, revocations, audit, JoinSettings.defaults()));
 * }</pre>
 *
 * <p>In order: the source's failure budget ({@link FailureRateLimiter}; 429 with {@code Retry-After}
 * before anything is read), method (405), {@code Content-Type: application/json} (415), body size
 * (413; at most limit + 1 bytes are read, {@code Content-Length} is not trusted), body syntax
 * ({@link JoinRequest}; 400), token signature, expiry and revocation (401), CSR rules
 * ({@link CsrRules}; 400, or 403 for a CSR naming another node), then issuance from the CA in use
 * with the node name as common name and only DNS name, profile server-and-client, lifetime {@link
 * JoinSettings#leafTtl()} (503 when OneCA cannot issue, 500 for anything else: details only in
 * the server log). Every error body is {@code {"error":"<code>","message":"<sentence>"}} with a
 * {@link JoinError} code. Success is 200 with {@code node}, {@code serial} (hex), {@code notAfter}
 * (ISO-8601), {@code certificateChainPem} (leaf first), {@code caBundlePem} and {@code
 * caFingerprint} (SHA-256 hex of the CA that signed the leaf).
 *
 * <p>Every attempt is audited ({@link JoinAudit}); every 4xx but 429 is charged to the source's
 * budget. Nothing is written to the store. Thread-safe.
 */
public final class JoinHandler implements HttpHandler {
  /** The path this handler is meant to be mounted at. */
  public static final String PATH = "/v1/join";

  private static final Logger LOG = LoggerFactory.getLogger(JoinHandler.class);
  private static final JsonFactory JSON = new JsonFactory();

  private final OneCa oneCa;
  private final JoinTokens tokens;
  private final TokenRevocations revocations;
  private final JoinAudit audit;
  private final JoinSettings settings;
  private final FailureRateLimiter limiter;
  private final CsrRules csrRules = CsrRules.defaults();

  /**
   * Creates the handler.
   *
   * @param oneCa the started OneCA of this replica
   * @param tokens verifies join tokens (the key every replica shares)
   * @param revocations the shared revocation list
   * @param audit receives one record per attempt
   * @param settings lifetimes, limits and clock
   */
  public JoinHandler(OneCa oneCa, JoinTokens tokens, TokenRevocations revocations, JoinAudit audit, JoinSettings settings) {
    this.oneCa = Objects.requireNonNull(oneCa, "oneCa");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.revocations = Objects.requireNonNull(revocations, "revocations");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.limiter = FailureRateLimiter.of(settings);
  }

  /** Returns the rate limiter, for health pages. */
  public FailureRateLimiter rateLimiter() {
    return limiter;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    InetAddress source = exchange.getRemoteAddress().getAddress();
    Attempt attempt = new Attempt();
    try {
      Optional<Duration> wait = limiter.check(source);
      if (wait.isPresent()) {
        throw JoinRejection.rateLimited(wait.get());
      }
      IssuedCertificate issued = join(exchange, attempt);
      String serial = issued.serialNumber().toString(16);
      byte[] body = successBody(attempt.node, serial, issued);
      audit(source, JoinOutcome.ISSUED, 200, null, attempt, serial);
      send(exchange, 200, body, null);
    } catch (JoinRejection rejection) {
      reject(exchange, source, attempt, rejection);
    } catch (RuntimeException e) {
      LOG.error("Join request from {} failed unexpectedly (token id {})", source.getHostAddress(),
          attempt.tokenId == null ? "-" : attempt.tokenId, e);
      reject(exchange, source, attempt, new JoinRejection(JoinError.INTERNAL_ERROR,
          "the join could not be completed because of a server error; it has been logged"));
    } finally {
      exchange.close();
    }
  }

  private IssuedCertificate join(HttpExchange exchange, Attempt attempt) {
    String method = exchange.getRequestMethod();
    if (!"POST".equals(method)) {
      throw new JoinRejection(JoinError.METHOD_NOT_ALLOWED, "use POST for " + PATH);
    }
    checkContentType(exchange.getRequestHeaders().get("Content-Type"));
    JoinRequest request = JoinRequest.parse(readBody(exchange));
    JoinToken token = tokens.authenticate(request.token());
    attempt.tokenId = token.id();
    attempt.node = token.nodeName();
    JoinTokens.requireUnexpired(token, settings.clock().instant());
    try {
      if (revocations.isRevoked(token.id())) {
        throw new JoinRejection(JoinError.TOKEN_REVOKED, "the join token " + token.id() + " has been revoked");
      }
    } catch (UnreadableRecordException e) {
      throw new JoinRejection(JoinError.REVOCATIONS_UNAVAILABLE,
          "the token revocation list cannot be read, so no token is accepted now; an operator has to fix it", e);
    }
    // The rules verified the CSR's signature (proof of possession) with an allow-list of algorithms;
    // OneCA certifies the verified key without verifying the same signature again.
    CsrRules.VerifiedCsr csr = csrRules.verify(request.csrPem(), token.nodeName());
    CertificateRequest certificateRequest = CertificateRequest.fromPublicKey(csr.publicKey())
        .commonName(token.nodeName())
        .dnsName(token.nodeName())
        .profile(CertificateProfile.SERVER_AND_CLIENT)
        .ttl(settings.leafTtl())
        .build();
    try {
      return oneCa.issue(certificateRequest, "join:" + token.nodeName());
    } catch (InvalidRequestException e) {
      throw new JoinRejection(JoinError.CSR_REJECTED, "OneCA's issuance policy refused the request: " + e.getMessage(), e);
    } catch (StoreUnavailableException | IllegalStateException e) {
      throw new JoinRejection(JoinError.CA_UNAVAILABLE,
          "this replica cannot issue certificates right now (no usable CA); retry shortly or use another replica", e);
    }
  }

  private static void checkContentType(List<String> values) {
    if (values == null || values.size() != 1) {
      throw new JoinRejection(JoinError.UNSUPPORTED_MEDIA_TYPE, "send exactly one Content-Type: application/json");
    }
    String[] parts = values.get(0).split(";", -1);
    boolean json = parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json");
    for (int i = 1; i < parts.length && json; i++) {
      String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
      json = parameter.isEmpty() || parameter.equals("charset=utf-8");
    }
    if (!json) {
      throw new JoinRejection(JoinError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json in UTF-8");
    }
  }

  /** Reads at most the limit plus one byte, whatever Content-Length says. */
  private byte[] readBody(HttpExchange exchange) {
    int limit = settings.maxBodyBytes();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null && declared.length() > 10) {
      throw tooLarge(limit);
    }
    if (declared != null && declared.chars().allMatch(Character::isDigit) && !declared.isEmpty()
        && Long.parseLong(declared) > limit) {
      throw tooLarge(limit);
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw tooLarge(limit);
      }
      return body;
    } catch (IOException e) {
      throw new JoinRejection(JoinError.MALFORMED_REQUEST, "the body could not be read completely", e);
    }
  }

  private static JoinRejection tooLarge(int limit) {
    return new JoinRejection(JoinError.BODY_TOO_LARGE, "the body must be at most " + limit + " bytes");
  }

  private void reject(HttpExchange exchange, InetAddress source, Attempt attempt, JoinRejection rejection)
      throws IOException {
    JoinError error = rejection.error();
    if (error.clientError()) {
      limiter.recordFailure(source);
    }
    if (error.status() >= 500 && error != JoinError.INTERNAL_ERROR) {
      LOG.warn("Join request from {} failed: {}", source.getHostAddress(), rejection.getMessage(), rejection.getCause());
    }
    JoinOutcome outcome = error == JoinError.RATE_LIMITED ? JoinOutcome.RATE_LIMITED
        : error.status() >= 500 ? JoinOutcome.FAILED : JoinOutcome.REJECTED;
    audit(source, outcome, error.status(), error.code(), attempt, null);
    String retryAfter = rejection.retryAfter().map(d -> Long.toString(Math.max(1, d.toSeconds()))).orElse(null);
    send(exchange, error.status(), errorBody(error.code(), rejection.getMessage()), retryAfter);
  }

  private void audit(InetAddress source, JoinOutcome outcome, int status, String code, Attempt attempt, String serial) {
    audit.record(new JoinAuditRecord(settings.clock().instant(), outcome, status, Optional.ofNullable(code),
        Optional.ofNullable(attempt.node), Optional.ofNullable(attempt.tokenId), source.getHostAddress(),
        Optional.ofNullable(serial)));
  }

  private void send(HttpExchange exchange, int status, byte[] body, String retryAfter) throws IOException {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json; charset=utf-8");
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    if (status == 405) {
      headers.set("Allow", "POST");
    }
    if (retryAfter != null) {
      headers.set("Retry-After", retryAfter);
    }
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private byte[] successBody(String node, String serial, IssuedCertificate issued) {
    return json(generator -> {
      generator.writeStringField("node", node);
      generator.writeStringField("serial", serial);
      generator.writeStringField("notAfter", issued.notAfter().toString());
      generator.writeStringField("certificateChainPem", issued.chainPem());
      generator.writeStringField("caBundlePem", oneCa.ca().trustBundlePem());
      generator.writeStringField("caFingerprint", issued.caFingerprint().sha256Hex());
    });
  }

  private static byte[] errorBody(String code, String message) {
    return json(generator -> {
      generator.writeStringField("error", code);
      generator.writeStringField("message", message);
    });
  }

  private interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  private static byte[] json(Fields fields) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(text)) {
      generator.writeStartObject();
      fields.write(generator);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** What is known about the attempt so far, for its audit record. */
  private static final class Attempt {
    String tokenId;
    String node;
  }
}
