package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.security.KeyEncryptionKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes record decoding: {@link NamedEntries#decode} yields an envelope or an
 * {@link InvalidRequestException}; {@link CaRecordCodec#decode} yields a record or an
 * {@link UnreadableRecordException}, never anything else. The structured target starts from valid
 * schema 1 and schema 2 records and drops, replaces or corrupts their entries, so the fuzzer gets
 * past the envelope's checksum into the codec. The authentication target starts from an
 * authenticated record (schema 4) with every kind of entry and checks the stronger property: any
 * change at all (a flipped byte, an entry replaced, removed or added, another schema) is an
 * {@link UnreadableRecordException}; only the unchanged record decodes.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RecordFuzzTest {
  private static final String KEY = "oneca/ca";
  private static final KeyEncryptionKey KEK = KeyEncryptionKeys.ofBytes(new byte[32]);
  private static final CaRecordCodec PLAINTEXT = new CaRecordCodec(TestPki.BC);
  private static final CaRecordCodec ENCRYPTING =
      new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KEK, List.of(), true));
  private static final CaRecordCodec STRICT =
      new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KEK, List.of(), false, false));
  private static final String[] NAMES =
      {"ca.crt", "ca.key", "ca.key.enc", "trust-bundle.pem", "metadata", "record.auth", "extra"};
  private static final byte[][] VALID;
  private static final byte[] AUTHENTICATED;

  static {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    CaRecord record = new CaRecord(ca, List.of(ca.certificate()), at, "fuzz");
    VALID = new byte[][] {PLAINTEXT.encode(record), ENCRYPTING.encode(record, KEY)};
    CaMaterial next = TestPki.ca(KeyAlgorithm.EC_P384);
    CaRecord rotated = RotationTransitions.activate(RotationTransitions.prepare(
        new CaRecord(TestPki.ca(KeyAlgorithm.ED25519), List.of(TestPki.ca(KeyAlgorithm.ED25519).certificate()), at, "fuzz"),
        ca, Optional.empty(), at), at, at.plus(Duration.ofDays(1))).record();
    AUTHENTICATED = STRICT.encode(RotationTransitions.prepare(rotated, next, Optional.empty(), at), KEY);
  }

  @FuzzTest(maxDuration = "2m")
  void decode_anyBytes_envelopeOrTypedError(byte[] data) {
    try {
      NamedEntries envelope = NamedEntries.decode(data);
      assertThat(NamedEntries.decode(envelope.encode())).isEqualTo(envelope);
    } catch (InvalidRequestException expected) {
      assertThat(expected.field()).isNotBlank();
    }
    decodeRecord(PLAINTEXT, data);
    decodeRecord(ENCRYPTING, data);
  }

  @FuzzTest(maxDuration = "2m")
  void decode_mutatedValidRecord_recordOrUnreadable(FuzzedDataProvider data) {
    NamedEntries base = NamedEntries.decode(VALID[data.consumeBoolean() ? 1 : 0]);
    TreeMap<String, byte[]> entries = new TreeMap<>(base.entries());
    int edits = data.consumeInt(0, 4);
    for (int i = 0; i < edits; i++) {
      String name = data.pickValue(NAMES);
      switch (data.consumeInt(0, 2)) {
        case 0 -> entries.remove(name);
        case 1 -> entries.put(name, data.consumeBytes(data.consumeInt(0, 4096)));
        default -> {
          byte[] value = entries.get(name);
          if (value != null && value.length > 0) {
            value = value.clone();
            value[data.consumeInt(0, value.length - 1)] ^= (byte) data.consumeInt(1, 255);
            entries.put(name, value);
          }
        }
      }
    }
    byte[] value = new NamedEntries("ca", data.consumeInt(1, 4), entries).encode();
    decodeRecord(PLAINTEXT, value);
    decodeRecord(ENCRYPTING, value);
  }

  @FuzzTest(maxDuration = "2m")
  void decode_mutatedAuthenticatedRecord_unreadableUnlessUnchanged(FuzzedDataProvider data) {
    NamedEntries base = NamedEntries.decode(AUTHENTICATED);
    TreeMap<String, byte[]> entries = new TreeMap<>(base.entries());
    String[] names = entries.keySet().toArray(String[]::new);
    int edits = data.consumeInt(1, 3);
    for (int i = 0; i < edits; i++) {
      String name = data.consumeBoolean() ? data.pickValue(names) : data.pickValue(NAMES);
      switch (data.consumeInt(0, 3)) {
        case 0 -> entries.remove(name);
        case 1 -> entries.put(name, data.consumeBytes(data.consumeInt(0, 2048)));
        case 2 -> entries.put(name, entries.getOrDefault(data.pickValue(names), new byte[] {1}).clone());
        default -> {
          byte[] value = entries.get(name);
          if (value != null && value.length > 0) {
            value = value.clone();
            value[data.consumeInt(0, value.length - 1)] ^= (byte) data.consumeInt(1, 255);
            entries.put(name, value);
          }
        }
      }
    }
    int schema = data.consumeBoolean() ? base.schemaVersion() : data.consumeInt(1, 4);
    byte[] value = new NamedEntries("ca", schema, entries).encode();
    boolean unchanged = Arrays.equals(value, AUTHENTICATED);
    try {
      CaRecord record = STRICT.decode(new Versioned<>(KEY, value, 1), "fuzz");
      assertThat(unchanged).as("a changed authenticated record was adopted").isTrue();
      assertThat(record.active()).isNotNull();
    } catch (UnreadableRecordException expected) {
      assertThat(unchanged).as("the unchanged record was refused: " + expected.getMessage()).isFalse();
      assertThat(expected.key()).isEqualTo(KEY);
    }
  }

  private static void decodeRecord(CaRecordCodec codec, byte[] value) {
    try {
      assertThat(codec.decode(new Versioned<>(KEY, value, 1), "fuzz").active()).isNotNull();
    } catch (UnreadableRecordException expected) {
      assertThat(expected.key()).isEqualTo(KEY);
    }
  }
}
