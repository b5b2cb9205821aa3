package io.oneca.core.internal.record;

import io.oneca.api.Fingerprint;
import io.oneca.api.UnreadableRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The evidence, stored next to a CA record at {@code <caKey>.lineage}, that a CA line exists there.
 * It survives deletion of the record, so a replica that finds the record absent but the evidence
 * present knows a CA existed and refuses to found another. Holds only fingerprints, times and names:
 * never a key or certificate.
 *
 * <p>Encoding (UTF-8 text, one field per line, {@code name value}; versioned by the first line):
 *
 * <pre>
 *   oneca-lineage 1
 *   key oneca/ca
 *   founded 3f2a...   (SHA-256 of the CA the line was founded with; absent after a reset)
 *   admitted 9c01...  (0..16 lines: CAs an operator admitted to the line, e.g. a forced rotation)
 *   distrusted 3f2a.. (0..16 lines: CAs a forced rotation distrusted; optional, older evidence has none)
 *   reset-from 3f2a.. (present after an operator reset: the fingerprint the reset named)
 *   at 2026-12-03T10:15:30Z
 *   by replica-1
 * </pre>
 *
 * @param key the CA record's store key
 * @param founded the founding CA's fingerprint (lower-case hex); empty while a reset is open
 * @param admitted CAs admitted by an operator action, oldest first, at most {@link #MAX_ADMITTED}
 * @param distrusted CAs an operator distrusted with a forced rotation, oldest first, at most
 *     {@link #MAX_DISTRUSTED}: never admitted again until an operator reset starts a new line
 * @param resetFrom the fingerprint a reset named, when the line was reset
 * @param at when the evidence was last written
 * @param by who wrote it
 */
public record LineageEvidence(String key, Optional<String> founded, List<String> admitted, List<String> distrusted,
    Optional<String> resetFrom, Instant at, String by) {
  /** The most admitted CAs kept; beyond it the oldest is dropped. */
  public static final int MAX_ADMITTED = 16;
  /** The most distrusted CAs kept; beyond it the oldest is dropped. */
  public static final int MAX_DISTRUSTED = 16;
  /** The suffix of the evidence key: {@code <caKey>.lineage}. */
  public static final String KEY_SUFFIX = ".lineage";

  private static final String MAGIC = "oneca-lineage 1";
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_BYTES = 8 * 1024;

  /** Validates the fields and copies the list. */
  public LineageEvidence {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(founded, "founded");
    admitted = List.copyOf(admitted);
    distrusted = List.copyOf(distrusted);
    Objects.requireNonNull(resetFrom, "resetFrom");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(by, "by");
    founded.ifPresent(LineageEvidence::requireHex);
    admitted.forEach(LineageEvidence::requireHex);
    distrusted.forEach(LineageEvidence::requireHex);
    resetFrom.ifPresent(LineageEvidence::requireHex);
    if (founded.isEmpty() && resetFrom.isEmpty()) {
      throw new IllegalArgumentException("evidence without a founding CA must record the reset that opened it");
    }
    if (admitted.size() > MAX_ADMITTED) {
      throw new IllegalArgumentException("at most " + MAX_ADMITTED + " admitted CAs");
    }
    if (distrusted.size() > MAX_DISTRUSTED) {
      throw new IllegalArgumentException("at most " + MAX_DISTRUSTED + " distrusted CAs");
    }
    if (key.isEmpty() || by.isEmpty() || (key + by).chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("key and by must be printable ASCII without spaces");
    }
  }

  /** The evidence key of a CA record's key. */
  public static String keyOf(String caKey) {
    return caKey + KEY_SUFFIX;
  }

  /** Evidence of a line founded with {@code ca}. */
  public static LineageEvidence founded(String key, Fingerprint ca, Instant at, String by) {
    return new LineageEvidence(key, Optional.of(ca.sha256Hex()), List.of(), List.of(), Optional.empty(), at, by);
  }

  /** Whether a reset opened the key for a new line and no CA has founded it yet. */
  public boolean open() {
    return founded.isEmpty();
  }

  /** The fingerprints this evidence names: the founding CA first, then the admitted ones. */
  public List<String> fingerprints() {
    List<String> all = new ArrayList<>();
    founded.ifPresent(all::add);
    all.addAll(admitted);
    if (all.isEmpty()) {
      resetFrom.ifPresent(all::add);
    }
    return List.copyOf(all);
  }

  /**
   * Whether an operator action admitted {@code ca} into the line: a forced rotation named it, or it
   * founded the line after an operator reset; and no forced rotation distrusted it since.
   */
  public boolean admits(Fingerprint ca) {
    String hex = ca.sha256Hex();
    if (distrusted.contains(hex)) {
      return false;
    }
    return admitted.contains(hex) || (resetFrom.isPresent() && founded.map(hex::equals).orElse(false));
  }

  /** This evidence with {@code ca} admitted (the oldest admission dropped beyond the limit). */
  public LineageEvidence admit(Fingerprint ca, Instant now, String writer) {
    List<String> next = new ArrayList<>(admitted);
    next.remove(ca.sha256Hex());
    next.add(ca.sha256Hex());
    while (next.size() > MAX_ADMITTED) {
      next.remove(0);
    }
    return new LineageEvidence(key, founded, next, distrusted, resetFrom, now, writer);
  }

  /** Whether a forced rotation distrusted {@code ca} on this line (only an operator reset clears it). */
  public boolean distrusts(Fingerprint ca) {
    return distrusted.contains(ca.sha256Hex());
  }

  /** This evidence with {@code ca} distrusted (the oldest distrust dropped beyond the limit). */
  public LineageEvidence distrust(Fingerprint ca, Instant now, String writer) {
    List<String> next = new ArrayList<>(distrusted);
    next.remove(ca.sha256Hex());
    next.add(ca.sha256Hex());
    while (next.size() > MAX_DISTRUSTED) {
      next.remove(0);
    }
    return new LineageEvidence(key, founded, admitted, next, resetFrom, now, writer);
  }

  /** This open evidence, closed by the CA that founded the new line. */
  public LineageEvidence foundedBy(Fingerprint ca, Instant now, String writer) {
    return new LineageEvidence(key, Optional.of(ca.sha256Hex()), List.of(), List.of(), resetFrom, now, writer);
  }

  /** Open evidence after an operator reset away from {@code expected}: the new line starts without distrust. */
  public static LineageEvidence reset(String key, Fingerprint expected, Instant now, String writer) {
    return new LineageEvidence(key, Optional.empty(), List.of(), List.of(), Optional.of(expected.sha256Hex()), now,
        writer);
  }

  /** Encodes as described in the class comment. */
  public byte[] encode() {
    StringBuilder text = new StringBuilder(MAGIC).append('\n').append("key ").append(key).append('\n');
    founded.ifPresent(hex -> text.append("founded ").append(hex).append('\n'));
    admitted.forEach(hex -> text.append("admitted ").append(hex).append('\n'));
    distrusted.forEach(hex -> text.append("distrusted ").append(hex).append('\n'));
    resetFrom.ifPresent(hex -> text.append("reset-from ").append(hex).append('\n'));
    text.append("at ").append(at).append('\n').append("by ").append(by).append('\n');
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes evidence read from {@code evidenceKey}.
   *
   * @throws UnreadableRecordException if the bytes are not lineage evidence of this version
   */
  public static LineageEvidence decode(byte[] bytes, String backend, String evidenceKey, long version) {
    if (bytes.length > MAX_BYTES) {
      throw unreadable(backend, evidenceKey, version, "larger than " + MAX_BYTES + " bytes");
    }
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 2 || !lines[0].equals(MAGIC)) {
      throw unreadable(backend, evidenceKey, version, "not OneCA lineage evidence of version 1 (first line '"
          + (lines.length == 0 ? "" : abbreviate(lines[0])) + "')");
    }
    String key = null;
    String founded = null;
    String resetFrom = null;
    String at = null;
    String by = null;
    List<String> admitted = new ArrayList<>();
    List<String> distrusted = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() && i == lines.length - 1) {
        break;
      }
      int space = line.indexOf(' ');
      if (space <= 0) {
        throw unreadable(backend, evidenceKey, version, "line " + (i + 1) + " is not 'name value'");
      }
      String name = line.substring(0, space);
      String value = line.substring(space + 1);
      switch (name) {
        case "key" -> key = once(key, value, name, backend, evidenceKey, version);
        case "founded" -> founded = once(founded, value, name, backend, evidenceKey, version);
        case "admitted" -> admitted.add(value);
        case "distrusted" -> distrusted.add(value);
        case "reset-from" -> resetFrom = once(resetFrom, value, name, backend, evidenceKey, version);
        case "at" -> at = once(at, value, name, backend, evidenceKey, version);
        case "by" -> by = once(by, value, name, backend, evidenceKey, version);
        default -> throw unreadable(backend, evidenceKey, version, "unknown field '" + abbreviate(name) + "'");
      }
    }
    if (key == null || at == null || by == null) {
      throw unreadable(backend, evidenceKey, version, "a required field (key, at, by) is missing");
    }
    try {
      return new LineageEvidence(key, Optional.ofNullable(founded), admitted, distrusted,
          Optional.ofNullable(resetFrom), Instant.parse(at), by);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw unreadable(backend, evidenceKey, version, e.getMessage());
    }
  }

  private static String once(String current, String value, String name, String backend, String key, long version) {
    if (current != null) {
      throw unreadable(backend, key, version, "field '" + name + "' appears twice");
    }
    return value;
  }

  private static UnreadableRecordException unreadable(String backend, String key, long version, String reason) {
    return new UnreadableRecordException(backend, key, version, "lineage evidence: " + reason, null);
  }

  private static String abbreviate(String text) {
    String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }

  private static void requireHex(String hex) {
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a SHA-256 fingerprint in lower-case hex: '" + abbreviate(hex) + "'");
    }
  }
}
