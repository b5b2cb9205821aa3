package io.oneca.samples.cloudcore.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.oneca.core.OneCa;
import io.oneca.samples.cloudcore.http.Exchanges;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/hub/ping}: the edges' request traffic. Answers with the replica, the client
 * certificate's serial as this server saw it, and the active CA: an edge whose certificate file was
 * replaced can see the new one being presented.
 */
final class PingHandler implements HttpHandler {
  private final String replicaId;
  private final OneCa oneCa;
  private final HubStats stats;

  PingHandler(String replicaId, OneCa oneCa, HubStats stats) {
    this.replicaId = replicaId;
    this.oneCa = oneCa;
    this.stats = stats;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Optional<X509Certificate> peer = Exchanges.peerCertificate(exchange);
    if (peer.isEmpty()) {
      Exchanges.sendError(exchange, 403, "no_client_identity", "a client certificate is required");
      return;
    }
    stats.pings.incrementAndGet();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("replica", replicaId);
    body.put("node", Exchanges.commonName(peer.get().getSubjectX500Principal()).orElse(""));
    body.put("clientSerial", peer.get().getSerialNumber().toString(16));
    body.put("activeCa", oneCa.ca().fingerprint().sha256Hex());
    Exchanges.sendJson(exchange, 200, body);
  }
}
