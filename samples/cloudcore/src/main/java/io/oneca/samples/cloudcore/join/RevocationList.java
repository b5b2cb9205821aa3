package io.oneca.samples.cloudcore.join;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The stored revocation list: token ids with the expiry of the token each revokes. Immutable.
 *
 * <p>Encoding (US-ASCII): the line {@value #HEADER}, then one line {@code <id> <expiry epoch second>}
 * per entry, sorted by id, every line ending in {@code \n}. Decoding is strict and returns empty for
 * anything else, so that a record this version does not understand is reported, never rewritten.
 */
record RevocationList(Map<String, Instant> entries) {
  static final String HEADER = "oneca-join-revocations/1";
  static final RevocationList EMPTY = new RevocationList(Map.of());

  RevocationList {
    entries = Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  boolean contains(String id) {
    return entries.containsKey(id);
  }

  /** Returns this list without the entries whose token has expired at {@code now}. */
  RevocationList prunedAt(Instant now) {
    TreeMap<String, Instant> kept = new TreeMap<>(entries);
    kept.values().removeIf(expiry -> !expiry.isAfter(now));
    return kept.size() == entries.size() ? this : new RevocationList(kept);
  }

  RevocationList with(String id, Instant expiresAt) {
    TreeMap<String, Instant> next = new TreeMap<>(entries);
    next.put(id, expiresAt);
    return new RevocationList(next);
  }

  byte[] encode() {
    StringBuilder text = new StringBuilder(HEADER.length() + 1 + entries.size() * 40).append(HEADER).append('\n');
    entries.forEach((id, expiry) -> text.append(id).append(' ').append(expiry.getEpochSecond()).append('\n'));
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Decodes a stored value; empty if it is not exactly a list in this encoding. */
  static Optional<RevocationList> decode(byte[] value, int maxEntries) {
    String text = new String(value, StandardCharsets.ISO_8859_1);
    if (!text.startsWith(HEADER + "\n")) {
      return Optional.empty();
    }
    TreeMap<String, Instant> entries = new TreeMap<>();
    int start = HEADER.length() + 1;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0 || entries.size() >= maxEntries) {
        return Optional.empty();
      }
      String line = text.substring(start, end);
      int space = line.indexOf(' ');
      if (space != JoinToken.ID_LENGTH || !JoinToken.isValidId(line.substring(0, space))) {
        return Optional.empty();
      }
      String seconds = line.substring(space + 1);
      if (seconds.isEmpty() || seconds.length() > 12 || (seconds.length() > 1 && seconds.charAt(0) == '0')
          || !seconds.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      if (entries.put(line.substring(0, space), Instant.ofEpochSecond(Long.parseLong(seconds))) != null) {
        return Optional.empty();
      }
      start = end + 1;
    }
    return Optional.of(new RevocationList(entries));
  }
}
