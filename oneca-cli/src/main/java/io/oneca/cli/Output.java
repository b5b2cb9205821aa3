package io.oneca.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oneca.api.Fingerprint;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --json} and the human-readable table every command prints otherwise. */
final class Output {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--json", description = "Print one JSON document instead of a table (for scripts).")
  boolean json;

  /** Returns an empty JSON object to fill. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Prints a JSON document followed by a newline. */
  static void printJson(PrintWriter out, ObjectNode document) {
    try {
      out.println(MAPPER.writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    out.flush();
  }

  /** Returns the shared mapper, for reading replicas' reports. */
  static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Describes a certificate as JSON: subject, issuer, serial, fingerprint, validity. */
  static ObjectNode certificate(X509Certificate certificate) {
    ObjectNode node = object();
    node.put("subject", certificate.getSubjectX500Principal().getName());
    node.put("issuer", certificate.getIssuerX500Principal().getName());
    node.put("serialNumber", certificate.getSerialNumber().toString(16));
    node.put("fingerprintSha256", Fingerprint.of(certificate).sha256Hex());
    node.put("notBefore", certificate.getNotBefore().toInstant().toString());
    node.put("notAfter", certificate.getNotAfter().toInstant().toString());
    node.put("publicKeyAlgorithm", certificate.getPublicKey().getAlgorithm());
    return node;
  }

  /** Says how far away an instant is, e.g. "in 3649 days" or "EXPIRED 2 hours ago". */
  static String relative(Instant when, Instant now) {
    Duration delta = Duration.between(now, when);
    String amount = human(delta.abs());
    return delta.isNegative() ? "EXPIRED " + amount + " ago" : "in " + amount;
  }

  private static String human(Duration duration) {
    if (duration.toDays() >= 2) {
      return duration.toDays() + " days";
    } else if (duration.toHours() >= 2) {
      return duration.toHours() + " hours";
    } else if (duration.toMinutes() >= 2) {
      return duration.toMinutes() + " minutes";
    }
    return duration.toSeconds() + " seconds";
  }

  /** A two-column table of labels and values, printed with aligned values. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table row(String label, Object value) {
      rows.add(new String[] {label, String.valueOf(value)});
      return this;
    }

    void print(PrintWriter out) {
      int width = rows.stream().filter(row -> !row[1].isEmpty()).mapToInt(row -> row[0].length()).max().orElse(0);
      for (String[] row : rows) {
        out.println(row[0].isEmpty() ? row[1] : row[1].isEmpty() ? row[0]
            : String.format("%-" + width + "s  %s", row[0], row[1]));
      }
      out.flush();
    }
  }
}
