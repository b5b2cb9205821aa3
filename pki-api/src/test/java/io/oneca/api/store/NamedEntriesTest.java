package io.oneca.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.oneca.api.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NamedEntriesTest {

  private static NamedEntries sample() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("metadata", "schema=1\n".getBytes(StandardCharsets.UTF_8));
    entries.put("ca.crt", new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0x80, 0x7F});
    entries.put("empty", new byte[0]);
    entries.put("trust-bundle.pem", "-----BEGIN CERTIFICATE-----".getBytes(StandardCharsets.US_ASCII));
    return NamedEntries.of("ca", 1, entries);
  }

  @Test
  void encodeDecode_binaryAndEmptyValues_roundTrip() {
    NamedEntries original = sample();

    NamedEntries decoded = NamedEntries.decode(original.encode());

    assertThat(decoded).isEqualTo(original).hasSameHashCodeAs(original);
    assertThat(decoded.kind()).isEqualTo("ca");
    assertThat(decoded.schemaVersion()).isEqualTo(1);
    assertThat(decoded.entries().keySet()).containsExactly("ca.crt", "empty", "metadata", "trust-bundle.pem");
    assertThat(decoded.entry("ca.crt")).hasValueSatisfying(
        v -> assertThat(v).containsExactly(0, 1, 2, 0xFF, 0x80, 0x7F));
    assertThat(decoded.entry("empty")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(decoded.entry("missing")).isEmpty();
  }

  @Test
  void encode_noEntriesAndLimits_roundTrip() {
    TreeMap<String, byte[]> many = new TreeMap<>();
    for (int i = 0; i < NamedEntries.MAX_ENTRIES; i++) {
      many.put(String.format("e%02d", i), new byte[] {(byte) i});
    }
    many.put("x".repeat(253), new byte[0]);
    many.remove("e00");
    NamedEntries full = new NamedEntries("k".repeat(32), 65535, many);
    NamedEntries none = new NamedEntries("a-1", 7, new TreeMap<>());

    assertThat(NamedEntries.decode(full.encode())).isEqualTo(full);
    assertThat(NamedEntries.decode(none.encode())).isEqualTo(none);
  }

  @Test
  void encode_layout_isBigEndianWithMagicAndCrc32c() {
    NamedEntries entries = NamedEntries.of("ca", 258, Map.of("ab", new byte[] {9, 8}));

    byte[] encoded = entries.encode();

    byte[] body = {
      'O', 'C', 'R', '1', 0, 2, 'c', 'a', 1, 2, 0, 1, 0, 2, 'a', 'b', 0, 0, 0, 2, 9, 8
    };
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] expected = ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    assertThat(encoded).containsExactly(expected);
  }

  @Test
  void entries_copiedDefensively_inAndOut() {
    byte[] value = {1, 2, 3};
    TreeMap<String, byte[]> input = new TreeMap<>(Map.of("a", value));
    NamedEntries entries = new NamedEntries("ca", 1, input);

    value[0] = 42;
    input.put("b", new byte[0]);
    entries.entries().get("a")[1] = 42;
    entries.entry("a").orElseThrow()[2] = 42;

    assertThat(entries.entries().keySet()).containsExactly("a");
    assertThat(entries.entry("a")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
    SortedMap<String, byte[]> view = entries.entries();
    assertThatThrownBy(() -> view.put("c", new byte[0])).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toString_namesSizes_neverValues() {
    NamedEntries entries = NamedEntries.of("ca", 1, Map.of("ca.key", "SECRET-KEY".getBytes(StandardCharsets.US_ASCII)));

    assertThat(entries.toString()).contains("ca.key", "10 bytes").doesNotContain("SECRET");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "CA", "ca_1", "c a", "é", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"})
  void constructor_invalidKind_rejectedNamingKind(String kind) {
    assertThatThrownBy(() -> NamedEntries.of(kind, 1, Map.of()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("kind"));
  }

  @ParameterizedTest
  @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 65536})
  void constructor_schemaVersionOutOfRange_rejected(int version) {
    assertThatThrownBy(() -> NamedEntries.of("ca", version, Map.of()))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("schemaVersion"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "a b", "ä", "a:b"})
  void constructor_invalidEntryName_rejected(String name) {
    assertThatThrownBy(() -> NamedEntries.of("ca", 1, Map.of(name, new byte[0])))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("entries"));
  }

  @Test
  void constructor_nameTooLongOrTooManyEntries_rejected() {
    TreeMap<String, byte[]> many = new TreeMap<>();
    for (int i = 0; i <= NamedEntries.MAX_ENTRIES; i++) {
      many.put("e" + i, new byte[0]);
    }

    assertThatThrownBy(() -> NamedEntries.of("ca", 1, Map.of("x".repeat(254), new byte[0])))
        .hasMessageContaining("1 to 253");
    assertThatThrownBy(() -> new NamedEntries("ca", 1, many)).hasMessageContaining("at most 64");
  }

  @Test
  void decode_everyTruncation_rejectedAsRecord() {
    byte[] encoded = sample().encode();
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThat(catchThrowable(() -> NamedEntries.decode(truncated)))
          .as("truncated to %d bytes", length)
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("record"));
    }
  }

  @Test
  void decode_everySingleBitFlip_rejected() {
    byte[] encoded = sample().encode();
    for (int i = 0; i < encoded.length; i++) {
      byte[] flipped = encoded.clone();
      flipped[i] ^= 0x10;
      assertThat(catchThrowable(() -> NamedEntries.decode(flipped)))
          .as("bit flipped in byte %d", i)
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void decode_wrongMagicOrGarbage_rejectedAsNotARecord() {
    byte[] wrongMagic = sample().encode();
    wrongMagic[3] = '2';

    assertThatThrownBy(() -> NamedEntries.decode(wrongMagic)).hasMessageContaining("magic");
    assertThatThrownBy(() -> NamedEntries.decode("hello, world".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> NamedEntries.decode(new byte[0])).hasMessageContaining("magic");
    assertThatThrownBy(() -> NamedEntries.decode(new byte[] {'O', 'C', 'R', '1', 0}))
        .hasMessageContaining("shorter than the smallest record");
  }

  @Test
  void decode_corruptedCrc_rejectedAsChecksumMismatch() {
    byte[] encoded = sample().encode();
    encoded[encoded.length - 1] ^= 1;

    assertThatThrownBy(() -> NamedEntries.decode(encoded)).hasMessageContaining("checksum mismatch");
  }

  @Test
  void decode_trailingBytesWithValidCrc_rejected() {
    byte[] bytes = withCrc(out -> {
      header(out, "ca", 1, 1);
      entry(out, "a", new byte[] {1});
      out.write(new byte[] {0, 0, 0});
    });

    assertThatThrownBy(() -> NamedEntries.decode(bytes)).hasMessageContaining("3 trailing bytes");
  }

  @Test
  void decode_hugeDeclaredValueLength_rejectedWithoutAllocating() {
    byte[] bytes = withCrc(out -> {
      header(out, "ca", 1, 1);
      out.writeShort(1);
      out.write('a');
      out.writeInt(0xFFFFFFFF);
      out.write(new byte[] {1, 2, 3});
    });

    assertThatThrownBy(() -> NamedEntries.decode(bytes))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("declares 4294967295 value bytes, only 3 remain");
  }

  @Test
  void decode_lengthsBeyondBuffer_rejected() {
    byte[] longKind = withCrc(out -> {
      out.write(new byte[] {'O', 'C', 'R', '1'});
      out.writeShort(0xFFFF);
      out.write(new byte[] {'c', 'a', 0, 1, 0, 0});
    });
    byte[] missingEntries = withCrc(out -> header(out, "ca", 1, 2));
    byte[] longName = withCrc(out -> {
      header(out, "ca", 1, 1);
      out.writeShort(500);
      out.write('a');
    });

    assertThatThrownBy(() -> NamedEntries.decode(longKind)).hasMessageContaining("kind declares 65535 bytes");
    assertThatThrownBy(() -> NamedEntries.decode(missingEntries)).hasMessageContaining("ends inside");
    assertThatThrownBy(() -> NamedEntries.decode(longName)).hasMessageContaining("declares 500 bytes");
  }

  @Test
  void decode_structurallyInvalidFieldsWithValidCrc_rejected() {
    byte[] badKind = withCrc(out -> header(out, "CA", 1, 0));
    byte[] zeroSchema = withCrc(out -> header(out, "ca", 0, 0));
    byte[] tooMany = withCrc(out -> header(out, "ca", 1, 65));
    byte[] unsorted = withCrc(out -> {
      header(out, "ca", 1, 2);
      entry(out, "b", new byte[0]);
      entry(out, "a", new byte[0]);
    });
    byte[] duplicate = withCrc(out -> {
      header(out, "ca", 1, 2);
      entry(out, "a", new byte[0]);
      entry(out, "a", new byte[0]);
    });
    byte[] nonAsciiName = withCrc(out -> {
      header(out, "ca", 1, 1);
      out.writeShort(2);
      out.write(new byte[] {(byte) 0xC3, (byte) 0xA4});
      out.writeInt(0);
    });
    byte[] slashInName = withCrc(out -> {
      header(out, "ca", 1, 1);
      entry(out, "a/b", new byte[0]);
    });

    assertThatThrownBy(() -> NamedEntries.decode(badKind)).hasMessageContaining("[a-z0-9-]");
    assertThatThrownBy(() -> NamedEntries.decode(zeroSchema)).hasMessageContaining("schema version is 0");
    assertThatThrownBy(() -> NamedEntries.decode(tooMany)).hasMessageContaining("65 entries");
    assertThatThrownBy(() -> NamedEntries.decode(unsorted)).hasMessageContaining("out of order");
    assertThatThrownBy(() -> NamedEntries.decode(duplicate)).hasMessageContaining("duplicated");
    assertThatThrownBy(() -> NamedEntries.decode(nonAsciiName)).hasMessageContaining("non-ASCII");
    assertThatThrownBy(() -> NamedEntries.decode(slashInName))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("record"))
        .hasMessageContaining("[A-Za-z0-9._-]");
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] withCrc(Writer writer) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      writer.write(out);
      out.flush();
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void header(DataOutputStream out, String kind, int schema, int count) throws IOException {
    out.write(new byte[] {'O', 'C', 'R', '1'});
    out.writeShort(kind.length());
    out.write(kind.getBytes(StandardCharsets.US_ASCII));
    out.writeShort(schema);
    out.writeShort(count);
  }

  private static void entry(DataOutputStream out, String name, byte[] value) throws IOException {
    out.writeShort(name.length());
    out.write(name.getBytes(StandardCharsets.US_ASCII));
    out.writeInt(value.length);
    out.write(value);
  }
}
