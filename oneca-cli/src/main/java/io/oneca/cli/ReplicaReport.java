package io.oneca.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;

/**
 * How replicas report the CA they use: a fingerprint as 64 hex digits (any case) or as openssl
 * prints it ({@code SHA256:AB:CD:...}), either bare or as the string field {@value #FIELD} anywhere
 * in a JSON document (OneCA's Spring Boot health indicator puts it in its details).
 */
final class ReplicaReport {
  /** The JSON field that carries a replica's CA fingerprint. */
  static final String FIELD = "caFingerprint";

  private ReplicaReport() {}

  /** Parses a fingerprint in either notation. */
  static Fingerprint parseFingerprint(String text) {
    String normalized = text.strip();
    if (normalized.toUpperCase(Locale.ROOT).startsWith("SHA256:")) {
      normalized = normalized.substring("SHA256:".length());
    }
    normalized = normalized.replace(":", "");
    try {
      return new Fingerprint(normalized);
    } catch (InvalidRequestException e) {
      throw new CliException("'" + abbreviate(text) + "' is not a SHA-256 fingerprint (64 hex digits, or SHA256:AB:CD:...)");
    }
  }

  /** Reads a report: a JSON document with {@value #FIELD}, or a bare fingerprint. */
  static Fingerprint parseReport(String body) {
    String trimmed = body.strip();
    if (trimmed.startsWith("{")) {
      JsonNode document;
      try {
        document = Output.mapper().readTree(trimmed);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CliException("the report is not valid JSON: " + e.getOriginalMessage());
      }
      return find(document).map(ReplicaReport::parseFingerprint)
          .orElseThrow(() -> new CliException("the JSON report has no string field '" + FIELD + "'"));
    }
    return parseFingerprint(trimmed);
  }

  private static Optional<String> find(JsonNode node) {
    if (node.isObject()) {
      JsonNode direct = node.get(FIELD);
      if (direct != null && direct.isTextual()) {
        return Optional.of(direct.asText());
      }
    }
    if (node.isContainerNode()) {
      for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
        Optional<String> found = find(children.next());
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
