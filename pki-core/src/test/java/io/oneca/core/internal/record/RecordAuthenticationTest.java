package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.security.KeyEncryptionKeys;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With a key-encryption key, the whole CA record is authenticated: no entry can be changed, added or
 * removed by someone who can write the store but does not hold the key, and a record whose trust
 * bundle lacks the roots of its live slots is refused in every mode.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecordAuthenticationTest {
  private static final String KEY = "oneca/ca";
  private static final String BACKEND = "test";
  private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
  private static final CaGenerator GENERATOR = new CaGenerator(Providers.bouncyCastle(), new SecureRandom());
  private static final KeyEncryptionKey KEK = KeyEncryptionKeys.ofBytes(filled(7));
  private static final CaMaterial FIRST = root("first");
  private static final CaMaterial SECOND = root("second");
  private static final CaMaterial INTRUDER = root("intruder");

  private final CaRecordCodec encrypting =
      new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(KEK, List.of(), false));

  private static byte[] filled(int value) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) value);
    return key;
  }

  private static CaMaterial root(String name) {
    return GENERATOR.generate(new CaSpec("CN=" + name, KeyAlgorithm.EC_P256, Duration.ofDays(100), 0), NOW);
  }

  /** A record with every kind of entry: active, prepared with a cross-certificate, and a retired CA. */
  private static CaRecord full() {
    CaMaterial old = root("old");
    CaRecord first = new CaRecord(old, List.of(old.certificate()), NOW, "replica-1");
    CaRecord prepared = RotationTransitions.prepare(first, FIRST, Optional.empty(), NOW);
    CaRecord active = RotationTransitions.activate(prepared, NOW.plusSeconds(60), NOW.plus(Duration.ofDays(30))).record();
    return RotationTransitions.prepare(active, SECOND, Optional.of(FIRST.certificate()), NOW.plusSeconds(120));
  }

  private static Versioned<byte[]> stored(byte[] value) {
    return new Versioned<>(KEY, value, 9);
  }

  private static byte[] withEntries(byte[] value, java.util.function.Consumer<TreeMap<String, byte[]>> edit) {
    NamedEntries envelope = NamedEntries.decode(value);
    TreeMap<String, byte[]> entries = new TreeMap<>(envelope.entries());
    edit.accept(entries);
    return new NamedEntries(envelope.kind(), envelope.schemaVersion(), entries).encode();
  }

  private static byte[] bundleWith(byte[] value, X509Certificate extra) {
    return withEntries(value, entries -> {
      List<X509Certificate> bundle =
          new ArrayList<>(Pem.decodeCertificates(new String(entries.get("trust-bundle.pem"), StandardCharsets.US_ASCII)));
      bundle.add(extra);
      entries.put("trust-bundle.pem", Pem.encodeCertificates(bundle).getBytes(StandardCharsets.US_ASCII));
    });
  }

  @Test
  void decode_rootAddedToBundleByRawStoreWrite_refused() {
    byte[] value = encrypting.encode(full(), KEY);
    assertThat(encrypting.decode(stored(value), BACKEND).trustBundle()).doesNotContain(INTRUDER.certificate());

    byte[] tampered = bundleWith(value, INTRUDER.certificate());

    assertThatThrownBy(() -> encrypting.decode(stored(tampered), BACKEND))
        .isInstanceOfSatisfying(UnreadableRecordException.class, e -> {
          assertThat(e.key()).isEqualTo(KEY);
          assertThat(e.version()).isEqualTo(9);
        })
        .hasMessageContaining("authentic");
  }

  @Test
  void decode_everyByteOfEveryEntryFlipped_typedErrorNeverARecord() {
    byte[] value = encrypting.encode(full(), KEY);
    Map<String, byte[]> entries = NamedEntries.decode(value).entries();
    int checked = 0;
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      for (int i = 0; i < entry.getValue().length; i++) {
        int position = i;
        byte[] flipped = withEntries(value, edited -> {
          byte[] bytes = edited.get(entry.getKey()).clone();
          bytes[position] ^= 0x01;
          edited.put(entry.getKey(), bytes);
        });
        assertThatThrownBy(() -> encrypting.decode(stored(flipped), BACKEND))
            .as("entry %s byte %d", entry.getKey(), position)
            .isInstanceOf(UnreadableRecordException.class);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(2_000);
  }

  @Test
  void decode_everyByteOfTheStoredValueFlipped_typedError() {
    byte[] value = encrypting.encode(full(), KEY);
    for (int i = 0; i < value.length; i++) {
      byte[] flipped = value.clone();
      flipped[i] ^= (byte) 0x80;
      assertThatThrownBy(() -> encrypting.decode(stored(flipped), BACKEND))
          .as("byte %d", i)
          .isInstanceOf(UnreadableRecordException.class);
    }
  }

  @Test
  void decode_entryAddedOrRemoved_refused() {
    byte[] value = encrypting.encode(full(), KEY);
    for (String name : NamedEntries.decode(value).entries().keySet()) {
      byte[] without = withEntries(value, entries -> entries.remove(name));
      assertThatThrownBy(() -> encrypting.decode(stored(without), BACKEND))
          .as("without %s", name)
          .isInstanceOf(UnreadableRecordException.class);
    }
    byte[] extra = withEntries(value, entries -> entries.put("tls.crt",
        Pem.encodeCertificates(List.of(INTRUDER.certificate())).getBytes(StandardCharsets.US_ASCII)));
    assertThatThrownBy(() -> encrypting.decode(stored(extra), BACKEND)).isInstanceOf(UnreadableRecordException.class);
  }

  @Test
  void decode_authenticatedRecordDowngradedToOlderSchemaWithoutItsTag_refused() {
    byte[] value = encrypting.encode(full(), KEY);
    byte[] downgraded = withEntries(bundleWith(value, INTRUDER.certificate()), entries -> {
      entries.remove("record.auth");
      String metadata = new String(entries.get("metadata"), StandardCharsets.UTF_8);
      entries.put("metadata", metadata.replace("schema=4\n", "schema=3\n").getBytes(StandardCharsets.UTF_8));
    });
    byte[] relabelled = new NamedEntries("ca", 3, NamedEntries.decode(downgraded).entries()).encode();
    CaRecordCodec migrating = new CaRecordCodec(Providers.bouncyCastle(),
        CaKeyProtection.encrypted(KEK, List.of(), false, true));

    assertThatThrownBy(() -> encrypting.decode(stored(relabelled), BACKEND)).isInstanceOf(UnreadableRecordException.class);
    // Even a replica that accepts records written before authentication: the key's associated
    // data names schema 4, so the downgraded key does not decrypt.
    assertThatThrownBy(() -> migrating.decode(stored(relabelled), BACKEND)).isInstanceOf(UnreadableRecordException.class);
  }

  @Test
  void decode_valueMovedToAnotherStoreKey_refused() {
    byte[] value = encrypting.encode(full(), KEY);
    assertThatThrownBy(() -> encrypting.decode(new Versioned<>("oneca/other", value, 9), BACKEND))
        .isInstanceOf(UnreadableRecordException.class);
  }

  @Test
  void encode_withKek_authenticatedSchemaAndRoundTrip() {
    CaRecord record = full();
    byte[] value = encrypting.encode(record, KEY);
    NamedEntries envelope = NamedEntries.decode(value);

    assertThat(envelope.schemaVersion()).isEqualTo(CaRecordCodec.AUTHENTICATED_SCHEMA_VERSION);
    assertThat(envelope.entries()).containsKey("record.auth");
    CaRecord decoded = encrypting.decode(stored(value), BACKEND);
    assertThat(decoded.trustBundle()).isEqualTo(record.trustBundle());
    assertThat(decoded.retired()).isEqualTo(record.retired());
    assertThat(decoded.prepared().orElseThrow().fingerprint()).isEqualTo(SECOND.fingerprint());
    assertThat(decoded.preparedCross()).isEqualTo(record.preparedCross());
    assertThat(encrypting.authenticated(stored(value), BACKEND)).isTrue();
  }

  @Test
  void decode_recordWrittenBeforeAuthentication_refusedUnlessMigrating() {
    byte[] legacy = LegacyRecords.unauthenticated(encrypting.encode(full(), KEY), KEK, KEY);
    assertThat(NamedEntries.decode(legacy).schemaVersion()).isEqualTo(CaRecordCodec.ROTATION_SCHEMA_VERSION);

    assertThatThrownBy(() -> encrypting.decode(stored(legacy), BACKEND))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("not authenticated")
        .hasMessageContaining("KeyReencryption");
    CaRecordCodec migrating = new CaRecordCodec(Providers.bouncyCastle(),
        CaKeyProtection.encrypted(KEK, List.of(), false, true));
    assertThat(migrating.decode(stored(legacy), BACKEND).active().fingerprint()).isEqualTo(FIRST.fingerprint());
    assertThat(migrating.authenticated(stored(legacy), BACKEND)).isFalse();
  }

  @Test
  void decode_bundleWithoutTheActiveRoot_refusedInEveryMode() {
    CaRecord record = new CaRecord(FIRST, List.of(FIRST.certificate()), NOW, "replica-1");
    CaRecordCodec plaintext = new CaRecordCodec(Providers.bouncyCastle());
    byte[] value = plaintext.encode(record);
    byte[] swapped = withEntries(value, entries -> entries.put("trust-bundle.pem",
        Pem.encodeCertificates(List.of(INTRUDER.certificate())).getBytes(StandardCharsets.US_ASCII)));

    assertThatThrownBy(() -> plaintext.decode(stored(swapped), BACKEND))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining(FIRST.fingerprint().shortForm());
  }

  @Test
  void decode_bundleWithoutThePreparedRoot_refusedInEveryMode() {
    CaRecordCodec plaintext = new CaRecordCodec(Providers.bouncyCastle());
    CaRecord record = RotationTransitions.prepare(new CaRecord(FIRST, List.of(FIRST.certificate()), NOW, "replica-1"),
        SECOND, Optional.empty(), NOW);
    byte[] value = plaintext.encode(record, KEY);
    byte[] dropped = withEntries(value, entries -> entries.put("trust-bundle.pem",
        Pem.encodeCertificates(List.of(FIRST.certificate())).getBytes(StandardCharsets.US_ASCII)));

    assertThatThrownBy(() -> plaintext.decode(stored(dropped), BACKEND))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining(SECOND.fingerprint().shortForm());
  }

  @Test
  void record_bundleWithoutLiveRoots_invalid() {
    assertThatThrownBy(() -> new CaRecord(FIRST, List.of(SECOND.certificate()), NOW, "replica-1"))
        .hasMessageContaining(FIRST.fingerprint().shortForm());
    assertThat(Fingerprint.of(new CaRecord(FIRST, List.of(SECOND.certificate(), FIRST.certificate()), NOW, "r")
        .trustBundle().get(1))).isEqualTo(FIRST.fingerprint());
  }
}
