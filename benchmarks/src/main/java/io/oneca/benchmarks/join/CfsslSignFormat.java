package io.oneca.benchmarks.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * cfssl's remote signing API: {@code POST /api/v1/cfssl/sign} with
 * {@code {"certificate_request": "<PEM CSR>", "hosts": ["<dns name>"]}}, answered with
 * {@code {"success": true, "result": {"certificate": "<PEM>"}, "errors": [], "messages": []}}.
 * An answer counts only if the status is 200, {@code success} is {@code true} and the certificate
 * passes {@link CertificateCheck#requireMatching}.
 */
public final class CfsslSignFormat implements RequestFormat {
  /** The format's name on the command line. */
  public static final String NAME = "cfssl";
  /** cfssl's signing path. */
  public static final String PATH = "/api/v1/cfssl/sign";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String path() {
    return PATH;
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  @Override
  public byte[] body(CsrSample csr) {
    ObjectNode request = JSON.createObjectNode();
    request.put("certificate_request", csr.pem());
    request.putArray("hosts").add(csr.dnsName());
    try {
      return JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a cfssl sign request", e);
    }
  }

  @Override
  public void check(int status, byte[] body, CsrSample csr) throws RejectedResponse {
    if (status != 200) {
      throw new RejectedResponse("http " + status);
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new RejectedResponse("body not json");
    }
    if (answer == null || !answer.path("success").asBoolean(false)) {
      throw new RejectedResponse("success not true");
    }
    JsonNode certificate = answer.path("result").path("certificate");
    if (!certificate.isTextual()) {
      throw new RejectedResponse("no certificate");
    }
    CertificateCheck.requireMatching(certificate.textValue(), csr);
  }
}
