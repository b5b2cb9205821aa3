package io.oneca.core.rotation;

import io.oneca.api.Fingerprint;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.store.NamedEntries;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one replica knows about the consumers of the trust bundle, as kept in the store for the
 * other replicas' activation gates: its live consumers, and which of them acknowledged a bundle
 * holding the prepared CA {@code prepared}. Store value: a {@link NamedEntries} of kind
 * {@value #KIND}, schema 1, one UTF-8 entry {@code state} of lines {@code prepared=<hex>},
 * {@code live=<name>} and {@code acked=<name> <version> <instant>} (names URL-encoded), sorted, so
 * that equal content encodes to equal bytes.
 *
 * @param prepared the prepared CA the acknowledgements are for
 * @param live the consumers subscribed to this replica
 * @param acked the consumers that acknowledged a bundle holding {@code prepared}, with their newest
 *     acknowledgement: bundle version and when
 */
record AckRecord(Fingerprint prepared, SortedSet<String> live, SortedMap<String, Ack> acked) {
  static final String KIND = "ca-acks";
  private static final String STATE = "state";

  /** A consumer's newest acknowledgement. */
  record Ack(long version, Instant at) {}

  AckRecord {
    Objects.requireNonNull(prepared, "prepared");
    live = new TreeSet<>(live);
    acked = new TreeMap<>(acked);
  }

  byte[] encode() {
    StringBuilder text = new StringBuilder("prepared=").append(prepared.sha256Hex()).append('\n');
    for (String name : live) {
      text.append("live=").append(encodeName(name)).append('\n');
    }
    for (Map.Entry<String, Ack> entry : acked.entrySet()) {
      text.append("acked=").append(encodeName(entry.getKey())).append(' ').append(entry.getValue().version())
          .append(' ').append(entry.getValue().at()).append('\n');
    }
    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put(STATE, text.toString().getBytes(StandardCharsets.UTF_8));
    return new NamedEntries(KIND, 1, entries).encode();
  }

  /**
   * Decodes a stored value.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static AckRecord decode(byte[] value) {
    NamedEntries envelope;
    try {
      envelope = NamedEntries.decode(value);
    } catch (InvalidRequestException e) {
      throw new IllegalArgumentException("not a OneCA record: " + e.getMessage(), e);
    }
    if (!KIND.equals(envelope.kind()) || envelope.schemaVersion() != 1) {
      throw new IllegalArgumentException("holds kind '" + envelope.kind() + "' schema " + envelope.schemaVersion()
          + ", not '" + KIND + "' schema 1");
    }
    byte[] state = envelope.entry(STATE).orElseThrow(() -> new IllegalArgumentException("lacks '" + STATE + "'"));
    Fingerprint prepared = null;
    Set<String> live = new TreeSet<>();
    SortedMap<String, Ack> acked = new TreeMap<>();
    for (String line : new String(state, StandardCharsets.UTF_8).split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int equals = line.indexOf('=');
      String field = equals < 0 ? line : line.substring(0, equals);
      String rest = equals < 0 ? "" : line.substring(equals + 1);
      try {
        switch (field) {
          case "prepared" -> prepared = new Fingerprint(rest);
          case "live" -> live.add(decodeName(rest));
          case "acked" -> {
            String[] parts = rest.split(" ", -1);
            if (parts.length != 3) {
              throw new IllegalArgumentException("line '" + field + "' is not 'name version instant'");
            }
            acked.put(decodeName(parts[0]), new Ack(Long.parseLong(parts[1]), Instant.parse(parts[2])));
          }
          default -> throw new IllegalArgumentException("unknown line '" + field + "'");
        }
      } catch (InvalidRequestException | DateTimeParseException | NumberFormatException e) {
        throw new IllegalArgumentException("malformed line '" + field + "': " + e.getMessage(), e);
      }
    }
    if (prepared == null) {
      throw new IllegalArgumentException("lacks 'prepared'");
    }
    return new AckRecord(prepared, new TreeSet<>(live), acked);
  }

  private static String encodeName(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  private static String decodeName(String encoded) {
    return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
  }
}
