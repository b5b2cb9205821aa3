package io.oneca.samples.cloudcore.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.OneCaException;
import io.oneca.samples.cloudcore.join.CsrRules;
import io.oneca.samples.cloudcore.join.JoinRejection;
import io.oneca.api.StoreUnavailableException;
import io.oneca.core.OneCa;
import io.oneca.samples.cloudcore.http.Exchanges;
import io.oneca.samples.cloudcore.http.Json;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/hub/renew} on the mTLS hub: an edge that holds a certificate from the current
 * trust bundle asks for a new one for a new key. The node is the common name of the client
 * certificate it authenticated with, so an edge can only ever renew itself.
 */
final class RenewEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(RenewEndpoint.class);
  private static final int BODY_LIMIT = 16 * 1024;
  private static final CsrRules CSR_RULES = CsrRules.defaults();

  private RenewEndpoint() {}

  static void mount(HttpServer server, ReplicaSettings settings, OneCa oneCa, HubStats stats) {
    server.createContext("/v1/hub/renew", exchange -> handle(exchange, settings, oneCa, stats));
  }

  private static void handle(HttpExchange exchange, ReplicaSettings settings, OneCa oneCa, HubStats stats)
      throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      Exchanges.sendError(exchange, 405, "method_not_allowed", "use POST");
      return;
    }
    Optional<X509Certificate> peer = Exchanges.peerCertificate(exchange);
    Optional<String> node = peer.flatMap(c -> Exchanges.commonName(c.getSubjectX500Principal()));
    if (node.isEmpty()) {
      stats.renewalRejections.incrementAndGet();
      Exchanges.sendError(exchange, 403, "no_client_identity", "a client certificate with a common name is required");
      return;
    }
    Optional<byte[]> body = Exchanges.readBody(exchange, BODY_LIMIT);
    if (body.isEmpty()) {
      stats.renewalRejections.incrementAndGet();
      Exchanges.sendError(exchange, 413, "body_too_large", "the request body is larger than " + BODY_LIMIT + " bytes");
      return;
    }
    String csrPem;
    try {
      JsonNode json = Json.tree(body.get());
      JsonNode csrField = json == null ? null : json.get("csr");
      if (csrField == null || !csrField.isTextual()) {
        throw new IOException("no \"csr\" string");
      }
      csrPem = csrField.asText();
    } catch (IOException e) {
      stats.renewalRejections.incrementAndGet();
      Exchanges.sendError(exchange, 400, "malformed_body", "expected a JSON object with a PEM \"csr\"");
      return;
    }
    try {
      // The same rules as a join: the CSR is for this node only, not a CA, with an allowed key.
      CsrRules.VerifiedCsr csr = CSR_RULES.verify(csrPem, node.get());
      IssuedCertificate issued = oneCa.issue(CertificateRequest.fromPublicKey(csr.publicKey())
          .commonName(node.get())
          .dnsName(node.get())
          .profile(CertificateProfile.SERVER_AND_CLIENT)
          .ttl(settings.edgeTtl())
          .build(), "renew:" + node.get());
      stats.renewals.incrementAndGet();
      LOG.info("renewed {} on {}: serial {}", node.get(), settings.replicaId(), issued.serialNumber().toString(16));
      Exchanges.sendJson(exchange, 200, issuedBody(node.get(), issued, oneCa));
    } catch (JoinRejection e) {
      stats.renewalRejections.incrementAndGet();
      Exchanges.sendError(exchange, e.error().status(), e.error().code(), e.getMessage());
    } catch (InvalidRequestException e) {
      stats.renewalRejections.incrementAndGet();
      Exchanges.sendError(exchange, 400, "csr_invalid", e.getMessage());
    } catch (StoreUnavailableException e) {
      Exchanges.sendError(exchange, 503, "store_unavailable", "the CA cannot issue right now; retry");
    } catch (OneCaException e) {
      LOG.warn("renewal of {} failed: {}", node.get(), e.toString());
      Exchanges.sendError(exchange, 500, "internal", "the renewal failed; see the replica's log");
    }
  }

  /** The answer to a successful join or renewal. */
  static Map<String, Object> issuedBody(String node, IssuedCertificate issued, OneCa oneCa) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", node);
    body.put("serial", issued.serialNumber().toString(16));
    body.put("notAfter", issued.notAfter().toString());
    body.put("certificateChainPem", issued.chainPem());
    body.put("caBundlePem", oneCa.ca().trustBundlePem());
    body.put("caFingerprint", issued.caFingerprint().sha256Hex());
    return body;
  }
}
