package io.oneca.benchmarks.join;

import java.util.Map;

/**
 * How {@link SigningLoadDriver} asks one kind of signer for a certificate and how it decides that
 * the answer is right. A format is stateless and thread-safe: every connection calls it.
 *
 * <p>Implementations: {@link CfsslSignFormat} ({@code cfssl}: {@code POST /api/v1/cfssl/sign}) and
 * {@link OneCaJoinFormat} ({@code oneca-join}: the CloudCore sample's {@code POST /v1/join} over
 * HTTPS, which certifies a node for its own name only, hence {@link #nodeNamedCsrs()}).
 */
public interface RequestFormat {

  /** Returns the format's name on the command line, e.g. {@code cfssl}. */
  String name();

  /** Returns the request path, e.g. {@code /api/v1/cfssl/sign}. */
  String path();

  /** Returns the request body's media type. */
  String contentType();

  /**
   * Returns whether the requests must ask for the node name itself as DNS name (see
   * {@link CsrMix#generate(String, int, boolean)}). Default: {@code false}.
   */
  default boolean nodeNamedCsrs() {
    return false;
  }

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
