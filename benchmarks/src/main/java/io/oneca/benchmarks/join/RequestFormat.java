package io.oneca.benchmarks.join;

import java.util.Map;

/**
 * How {@link SigningLoadDriver} asks one kind of signer for a certificate and how it decides that
 * the answer is right. A format is stateless and thread-safe: every connection calls it.
 *
 * <p>Implementations today: {@link CfsslSignFormat} ({@code cfssl}: {@code POST /api/v1/cfssl/sign}).
 *
 * <h2>Extension point: the OneCA join endpoint ({@code oneca-join}, pending issue 9)</h2>
 *
 * <p>The CloudCore sample's HTTPS join endpoint does not exist yet. When it does, add a
 * {@code OneCaJoinFormat implements RequestFormat} and one case in {@link RequestFormats#forName}:
 * <ul>
 *   <li>{@link #path()}: the endpoint's path; {@link #contentType()}: {@code application/json};
 *   <li>{@link #headers()}: whatever carries the join token if it is not in the body (the token is a
 *       secret: take it from a file named on the command line, never print it or put it in a
 *       {@link RejectedResponse} reason);
 *   <li>{@link #body(CsrSample)}: the token and {@link CsrSample#pem()} as JSON;
 *   <li>{@link #check}: status 200, a JSON answer whose certificate passes
 *       {@link CertificateCheck#requireMatching} and whose CA bundle is present and parses.
 * </ul>
 * The endpoint is HTTPS; {@link HttpConnection} speaks plain HTTP/1.1, so it also needs a TLS socket
 * (an {@code SSLSocket} from a context trusting the sample's CA, handshake once per connection and
 * kept alive, like the plain sockets) — cfssl is driven over plain HTTP on loopback, so a fair
 * comparison states which side paid for TLS. Everything else (CSR mix, connections, warm-up,
 * statistics, error accounting) is shared and needs no change.
 */
public interface RequestFormat {

  /** Returns the format's name on the command line, e.g. {@code cfssl}. */
  String name();

  /** Returns the request path, e.g. {@code /api/v1/cfssl/sign}. */
  String path();

  /** Returns the request body's media type. */
  String contentType();

  /** Returns extra request headers (name to value). Default: none. */
  default Map<String, String> headers() {
    return Map.of();
  }

  /**
   * Returns the request body asking for a certificate for {@code csr}. Called up front for every
   * request of the pool, so its cost is never measured.
   */
  byte[] body(CsrSample csr);

  /**
   * Accepts the answer to {@link #body(CsrSample) body(csr)} only if it carries a certificate that
   * parses and certifies the request's key; anything else is an error, never throughput.
   *
   * @param status the HTTP status
   * @param body the response body
   * @param csr the request that was sent
   * @throws RejectedResponse naming, in a few words, why the answer is wrong (an error category)
   */
  void check(int status, byte[] body, CsrSample csr) throws RejectedResponse;
}
