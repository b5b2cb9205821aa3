package io.oneca.api.store;

import io.oneca.api.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A small, versioned, self-describing container of named byte entries: the on-store layout of
 * OneCA records, which the Kubernetes backend maps to Secret {@code data} keys.
 *
 * <p>The {@link #kind()} says what the record is (for example {@code ca}) and the
 * {@link #schemaVersion()} which layout of that kind the entries follow, so that a reader can tell a
 * record written by a newer OneCA from a damaged one. Entry names follow the Kubernetes Secret data
 * key syntax, so that every entry can become one Secret key ({@code ca.crt}, {@code ca.key}, ...).
 *
 * <p>{@link #encode()} produces this big-endian layout:
 *
 * <pre>
 * "OCR1"                                 4 ASCII bytes (magic)
 * u16 kind length, kind                  ASCII
 * u16 schemaVersion
 * u16 entry count
 * per entry, sorted by name:
 *   u16 name length, name                UTF-8 (ASCII in practice)
 *   u32 value length, value
 * u32 CRC32C of every preceding byte
 * </pre>
 *
 * <p>Instances are immutable: the entries are copied when created and when read.
 *
 * @param kind what the record is: 1 to {@value #MAX_KIND_LENGTH} characters from {@code [a-z0-9-]}
 * @param schemaVersion the layout version of this kind: 1 to {@value #MAX_SCHEMA_VERSION}
 * @param entries the named values, at most {@value #MAX_ENTRIES}; names are 1 to
 *     {@value #MAX_NAME_LENGTH} characters from {@code [A-Za-z0-9._-]}; values may be empty
 */
public record NamedEntries(String kind, int schemaVersion, SortedMap<String, byte[]> entries) {
  /** The longest kind. */
  public static final int MAX_KIND_LENGTH = 32;

  /** The highest schema version the layout can carry. */
  public static final int MAX_SCHEMA_VERSION = 0xFFFF;

  /** The longest entry name: the limit of a Kubernetes Secret data key. */
  public static final int MAX_NAME_LENGTH = 253;

  /** The most entries one record may hold. */
  public static final int MAX_ENTRIES = 64;

  private static final byte[] MAGIC = {'O', 'C', 'R', '1'};
  private static final int CRC_BYTES = 4;
  private static final int MIN_ENCODED = MAGIC.length + 2 + 1 + 2 + 2 + CRC_BYTES;

  /**
   * Validates the fields and copies the entries.
   *
   * @throws InvalidRequestException if the kind, the schema version or an entry name breaks the
   *     rules above, or there are too many entries
   */
  public NamedEntries {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(entries, "entries");
    String problem = kindProblem(kind);
    if (problem != null) {
      throw new InvalidRequestException("kind", problem);
    }
    if (schemaVersion < 1 || schemaVersion > MAX_SCHEMA_VERSION) {
      throw new InvalidRequestException(
          "schemaVersion", "must be 1 to " + MAX_SCHEMA_VERSION + ", was " + schemaVersion);
    }
    if (entries.size() > MAX_ENTRIES) {
      throw new InvalidRequestException(
          "entries", "at most " + MAX_ENTRIES + " are allowed, got " + entries.size());
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      String name = Objects.requireNonNull(entry.getKey(), "entry name");
      byte[] value = Objects.requireNonNull(entry.getValue(), "value of entry '" + name + "'");
      problem = nameProblem(name);
      if (problem != null) {
        throw new InvalidRequestException("entries", problem);
      }
      copy.put(name, value.clone());
    }
    entries = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Creates a record from entries in any map.
   *
   * @param kind what the record is
   * @param schemaVersion the layout version of this kind
   * @param entries the named values (copied)
   * @return the record
   * @throws InvalidRequestException if a field breaks the rules of this class
   */
  public static NamedEntries of(String kind, int schemaVersion, Map<String, byte[]> entries) {
    return new NamedEntries(kind, schemaVersion, new TreeMap<>(entries));
  }

  /** Returns an unmodifiable, sorted copy of the entries; changing a returned array changes nothing. */
  @Override
  public SortedMap<String, byte[]> entries() {
    TreeMap<String, byte[]> copy = new TreeMap<>();
    entries.forEach((name, value) -> copy.put(name, value.clone()));
    return Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Returns a copy of one entry's value.
   *
   * @param name the entry name
   * @return the value, or empty if there is no such entry
   */
  public Optional<byte[]> entry(String name) {
    Objects.requireNonNull(name, "name");
    byte[] value = entries.get(name);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /**
   * Encodes the record in the layout described in the class documentation.
   *
   * @return the encoded bytes
   * @throws InvalidRequestException if the encoding would exceed the largest Java array
   */
  public byte[] encode() {
    long size = MAGIC.length + 2L + kind.length() + 2 + 2 + CRC_BYTES;
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      size += 2L + entry.getKey().length() + 4L + entry.getValue().length;
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new InvalidRequestException("entries", "the encoded record would be " + size + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    buffer.put(MAGIC);
    putShortString(buffer, kind);
    buffer.putShort((short) schemaVersion);
    buffer.putShort((short) entries.size());
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      putShortString(buffer, entry.getKey());
      buffer.putInt(entry.getValue().length);
      buffer.put(entry.getValue());
    }
    buffer.putInt((int) crc(buffer.array(), buffer.position()));
    return buffer.array();
  }

  /**
   * Decodes bytes written by {@link #encode()}.
   *
   * <p>Strict: the checksum must match, entries must be in order without duplicates, and nothing
   * may follow the last entry. Never allocates more than the input's size.
   *
   * @param bytes the encoded record
   * @return the record
   * @throws InvalidRequestException with field {@code record} and the precise reason if the bytes
   *     are not a well-formed record; never any other exception for malformed input
   */
  public static NamedEntries decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < MAGIC.length
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw malformed("does not start with the magic 'OCR1'; not a OneCA record");
    }
    if (bytes.length < MIN_ENCODED) {
      throw malformed("is " + bytes.length + " bytes, shorter than the smallest record (" + MIN_ENCODED + ")");
    }
    int bodyLength = bytes.length - CRC_BYTES;
    long expectedCrc = ByteBuffer.wrap(bytes, bodyLength, CRC_BYTES).getInt() & 0xFFFFFFFFL;
    long actualCrc = crc(bytes, bodyLength);
    if (expectedCrc != actualCrc) {
      throw malformed(String.format(
          "checksum mismatch (stored %08x, computed %08x): the record is truncated or corrupted",
          expectedCrc, actualCrc));
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, bodyLength);
    in.position(MAGIC.length);
    String kind = readAscii(in, "kind");
    String problem = kindProblem(kind);
    if (problem != null) {
      throw malformed("kind " + problem);
    }
    int schemaVersion = readU16(in, "schema version");
    if (schemaVersion == 0) {
      throw malformed("schema version is 0");
    }
    int count = readU16(in, "entry count");
    if (count > MAX_ENTRIES) {
      throw malformed("declares " + count + " entries, at most " + MAX_ENTRIES + " are allowed");
    }
    TreeMap<String, byte[]> entries = new TreeMap<>();
    String previous = null;
    for (int i = 0; i < count; i++) {
      String name = readAscii(in, "name of entry " + i);
      problem = nameProblem(name);
      if (problem != null) {
        throw malformed("entry " + i + ": " + problem);
      }
      if (previous != null && previous.compareTo(name) >= 0) {
        throw malformed("entry '" + name + "' is duplicated or out of order after '" + previous + "'");
      }
      long length = readU32(in, "value length of entry '" + name + "'");
      if (length > in.remaining()) {
        throw malformed("entry '" + name + "' declares " + length + " value bytes, only "
            + in.remaining() + " remain");
      }
      byte[] value = new byte[(int) length];
      in.get(value);
      entries.put(name, value);
      previous = name;
    }
    if (in.hasRemaining()) {
      throw malformed(in.remaining() + " trailing bytes after the last entry");
    }
    return new NamedEntries(kind, schemaVersion, entries);
  }

  /** Compares kind, schema version and entry contents (arrays by value). */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof NamedEntries other)) {
      return false;
    }
    if (!kind.equals(other.kind)
        || schemaVersion != other.schemaVersion
        || !entries.keySet().equals(other.entries.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      if (!Arrays.equals(entry.getValue(), other.entries.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Hashes kind, schema version and entry contents. */
  @Override
  public int hashCode() {
    int hash = Objects.hash(kind, schemaVersion);
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      hash = 31 * hash + (entry.getKey().hashCode() ^ Arrays.hashCode(entry.getValue()));
    }
    return hash;
  }

  /** Names the entries and their sizes, never their contents: entries may hold private keys. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("NamedEntries[kind=").append(kind)
        .append(", schemaVersion=").append(schemaVersion).append(", entries={");
    String separator = "";
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      sb.append(separator).append(entry.getKey()).append(": ").append(entry.getValue().length).append(" bytes");
      separator = ", ";
    }
    return sb.append("}]").toString();
  }

  private static String kindProblem(String kind) {
    if (kind.isEmpty() || kind.length() > MAX_KIND_LENGTH) {
      return "must be 1 to " + MAX_KIND_LENGTH + " characters, was " + kind.length();
    }
    for (int i = 0; i < kind.length(); i++) {
      char c = kind.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return "'" + kind + "' has a character outside [a-z0-9-] at index " + i;
      }
    }
    return null;
  }

  private static String nameProblem(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return "entry names must be 1 to " + MAX_NAME_LENGTH + " characters, was " + name.length();
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return "entry name '" + name + "' has a character outside [A-Za-z0-9._-] at index " + i;
      }
    }
    return null;
  }

  private static void putShortString(ByteBuffer buffer, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    buffer.putShort((short) bytes.length);
    buffer.put(bytes);
  }

  private static int readU16(ByteBuffer in, String what) {
    if (in.remaining() < 2) {
      throw malformed("ends inside the " + what);
    }
    return in.getShort() & 0xFFFF;
  }

  private static long readU32(ByteBuffer in, String what) {
    if (in.remaining() < 4) {
      throw malformed("ends inside the " + what);
    }
    return in.getInt() & 0xFFFFFFFFL;
  }

  /** Reads a u16-prefixed string; only printable ASCII is accepted, so no charset decoder can fail. */
  private static String readAscii(ByteBuffer in, String what) {
    int length = readU16(in, what + " length");
    if (length > in.remaining()) {
      throw malformed("the " + what + " declares " + length + " bytes, only " + in.remaining() + " remain");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] < 0x21 || bytes[i] > 0x7E) {
        throw malformed("the " + what + " has a non-printable or non-ASCII byte at index " + i);
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static long crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }

  private static InvalidRequestException malformed(String reason) {
    return new InvalidRequestException("record", reason);
  }
}
