package io.oneca.samples.cloudcore.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Small helpers for {@code com.sun.net.httpserver} handlers: JSON answers, bounded bodies, peers. */
public final class Exchanges {
  private Exchanges() {}

  /**
   * Sends a JSON answer and closes the exchange.
   *
   * @param exchange the exchange
   * @param status the HTTP status
   * @param body the value to serialize
   * @throws IOException if the client is gone
   */
  public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    send(exchange, status, "application/json", Json.bytes(body));
  }

  /**
   * Sends {@code {"error": code, "message": message}} and closes the exchange.
   *
   * @param exchange the exchange
   * @param status the HTTP status (4xx or 5xx)
   * @param code a stable, machine-readable error code
   * @param message a sentence for people
   * @throws IOException if the client is gone
   */
  public static void sendError(HttpExchange exchange, int status, String code, String message) throws IOException {
    sendJson(exchange, status, Map.of("error", code, "message", message));
  }

  /**
   * Sends bytes with a content type and closes the exchange.
   *
   * @param exchange the exchange
   * @param status the HTTP status
   * @param contentType the content type
   * @param body the body
   * @throws IOException if the client is gone
   */
  public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /**
   * Reads a request body of at most {@code limit} bytes, never trusting {@code Content-Length}.
   *
   * @param exchange the exchange
   * @param limit the largest body accepted
   * @return the body, or empty if it is larger than {@code limit}
   * @throws IOException if the client is gone
   */
  public static Optional<byte[]> readBody(HttpExchange exchange, int limit) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      return body.length > limit ? Optional.empty() : Optional.of(body);
    }
  }

  /**
   * Returns the verified client certificate of an mTLS exchange.
   *
   * @param exchange the exchange
   * @return the client's leaf certificate, or empty if there is none
   */
  public static Optional<X509Certificate> peerCertificate(HttpExchange exchange) {
    if (!(exchange instanceof HttpsExchange https)) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = https.getSSLSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the first common name of a principal.
   *
   * @param principal the subject
   * @return its CN, or empty if it has none
   */
  public static Optional<String> commonName(X500Principal principal) {
    RDN[] cns = X500Name.getInstance(principal.getEncoded()).getRDNs(BCStyle.CN);
    return cns.length == 0 ? Optional.empty()
        : Optional.of(IETFUtils.valueToString(cns[0].getFirst().getValue()));
  }

  /**
   * Returns the UTF-8 bytes of a string.
   *
   * @param text the text
   * @return its bytes
   */
  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
