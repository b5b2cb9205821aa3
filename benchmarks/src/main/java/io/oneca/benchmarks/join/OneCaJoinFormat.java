package io.oneca.benchmarks.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.samples.cloudcore.join.JoinHandler;
import io.oneca.samples.cloudcore.join.JoinTokens;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The CloudCore sample's join endpoint: {@code POST /v1/join} over HTTPS with
 * {@code {"token": "<join token>", "csr": "<PEM CSR>"}}, answered with {@code certificateChainPem},
 * {@code caBundlePem} and more. Each request carries its own token for its CSR's node, minted up
 * front with the endpoint's shared key (so minting is never measured); tokens are never printed.
 * An answer counts only if the status is 200, the leaf passes {@link CertificateCheck#requireMatching}
 * and the CA bundle parses.
 */
public final class OneCaJoinFormat implements RequestFormat {
  /** The format's name on the command line. */
  public static final String NAME = RequestFormats.ONECA_JOIN;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TOKEN_TTL = Duration.ofDays(1);

  private final JoinTokens tokens;

  /**
   * Creates the format.
   *
   * @param tokens mints the join tokens; the endpoint's key
   */
  public OneCaJoinFormat(JoinTokens tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String path() {
    return JoinHandler.PATH;
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  @Override
  public boolean nodeNamedCsrs() {
    return true;
  }

  @Override
  public byte[] body(CsrSample csr) {
    ObjectNode request = JSON.createObjectNode();
    request.put("token", tokens.mint(csr.dnsName(), TOKEN_TTL, Instant.now()));
    request.put("csr", csr.pem());
    try {
      return JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a join request", e);
    }
  }

  @Override
  public void check(int status, byte[] body, CsrSample csr) throws RejectedResponse {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new RejectedResponse("http " + status + ", body not json");
    }
    if (status != 200) {
      throw new RejectedResponse("http " + status + " " + answer.path("error").asText("?"));
    }
    JsonNode chain = answer.path("certificateChainPem");
    if (!chain.isTextual()) {
      throw new RejectedResponse("no certificate");
    }
    CertificateCheck.requireMatching(chain.textValue(), csr);
    JsonNode bundle = answer.path("caBundlePem");
    try {
      if (!bundle.isTextual() || CertificateFactory.getInstance("X.509").generateCertificates(
          new ByteArrayInputStream(bundle.textValue().getBytes(StandardCharsets.US_ASCII))).isEmpty()) {
        throw new RejectedResponse("no ca bundle");
      }
    } catch (CertificateException e) {
      throw new RejectedResponse("ca bundle unparsable");
    }
  }
}
