package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.oneca.api.InvalidRequestException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaChecks;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaRecordCodecTest {
  private static final String KEY = "oneca/prod/ca";
  private static final String BACKEND = "etcd http://127.0.0.1:2379";
  private static final Instant CREATED_AT = Instant.parse("2026-02-03T04:05:06.789Z");

  private final CaRecordCodec codec = new CaRecordCodec(TestPki.BC);

  private static CaRecord record(KeyAlgorithm algorithm) {
    CaMaterial ca = TestPki.ca(algorithm);
    return new CaRecord(ca, List.of(ca.certificate()), CREATED_AT, "replica-1");
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void encodeThenDecode_everyAlgorithm_sameRecordWithUsableKey(KeyAlgorithm algorithm) throws Exception {
    CaRecord original = record(algorithm);

    CaRecord decoded = codec.decode(new Versioned<>(KEY, codec.encode(original), 5), BACKEND);

    assertThat(decoded.active().chain()).isEqualTo(original.active().chain());
    assertThat(decoded.active().keyAlgorithm()).isEqualTo(algorithm);
    assertThat(PemKeys.encodePkcs8(decoded.active().privateKey()))
        .isEqualTo(PemKeys.encodePkcs8(original.active().privateKey()));
    assertThat(decoded.trustBundle()).isEqualTo(original.trustBundle());
    assertThat(decoded.createdAt()).isEqualTo(CREATED_AT);
    assertThat(decoded.createdBy()).isEqualTo("replica-1");
    assertThat(CaChecks.problems(decoded.active(), Instant.now(), TestPki.BC)).isEmpty();
    Signature signer = Signature.getInstance(algorithm.signatureAlgorithm(), TestPki.BC);
    signer.initSign(decoded.active().privateKey());
    signer.update(new byte[] {42});
    Signature verifier = Signature.getInstance(algorithm.signatureAlgorithm());
    verifier.initVerify(decoded.active().certificate());
    verifier.update(new byte[] {42});
    assertThat(verifier.verify(signer.sign())).isTrue();
  }

  @Test
  void encode_entries_kubernetesFriendlyNamesAndMetadataLines() {
    CaRecord original = record(KeyAlgorithm.EC_P256);

    NamedEntries envelope = NamedEntries.decode(codec.encode(original));

    assertThat(envelope.kind()).isEqualTo("ca");
    assertThat(envelope.schemaVersion()).isEqualTo(1);
    assertThat(envelope.entries().keySet()).containsExactly("ca.crt", "ca.key", "metadata", "trust-bundle.pem");
    assertThat(text(envelope, "ca.crt")).startsWith("-----BEGIN CERTIFICATE-----\n");
    assertThat(text(envelope, "ca.key")).isEqualTo(PemKeys.encodePkcs8(original.active().privateKey()));
    assertThat(text(envelope, "trust-bundle.pem")).startsWith("-----BEGIN CERTIFICATE-----\n");
    assertThat(text(envelope, "metadata")).isEqualTo("schema=1\n"
        + "fingerprint=" + original.active().fingerprint().sha256Hex() + "\n"
        + "key-algorithm=EC_P256\n"
        + "created-at=2026-02-03T04:05:06.789Z\n"
        + "created-by=replica-1\n");
  }

  @Test
  void decode_garbage_unreadableNamingKeyVersionAndBackend() {
    byte[] garbage = "definitely not a record".getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> codec.decode(new Versioned<>(KEY, garbage, 9), BACKEND))
        .isInstanceOfSatisfying(UnreadableRecordException.class, e -> {
          assertThat(e.key()).isEqualTo(KEY);
          assertThat(e.version()).isEqualTo(9);
          assertThat(e.backend()).isEqualTo(BACKEND);
        })
        .hasMessageContaining("not a OneCA record")
        .hasMessageContaining("magic");
  }

  @Test
  void decode_everyTruncation_unreadableAndNothingElse() {
    byte[] encoded = codec.encode(record(KeyAlgorithm.EC_P256));

    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThat(catchThrowable(() -> codec.decode(new Versioned<>(KEY, truncated, 1), BACKEND)))
          .as("truncated to %d of %d bytes", length, encoded.length)
          .isExactlyInstanceOf(UnreadableRecordException.class);
    }
  }

  @Test
  void decode_crcFlipped_unreadableChecksum() {
    byte[] encoded = codec.encode(record(KeyAlgorithm.EC_P256));
    encoded[encoded.length - 2] ^= 0x40;

    assertUnreadable(encoded).hasMessageContaining("checksum mismatch");
  }

  @Test
  void decode_newerSchema_unreadableAskingForUpgrade() {
    byte[] newer = rewrite(record(KeyAlgorithm.EC_P256), "ca", 5, entries -> entries);

    assertUnreadable(newer)
        .hasMessageContaining("written by a newer OneCA (schema 5, this version reads up to 4); upgrade OneCA");
  }

  @Test
  void decode_otherKind_unreadableNamingKind() {
    byte[] other = rewrite(record(KeyAlgorithm.EC_P256), "leaf", 1, entries -> entries);

    assertUnreadable(other).hasMessageContaining("kind 'leaf'");
  }

  @Test
  void decode_metadataFingerprintOfAnotherCa_unreadableMismatch() {
    CaRecord record = record(KeyAlgorithm.EC_P256);
    String otherHex = TestPki.ca(KeyAlgorithm.EC_P384).fingerprint().sha256Hex();
    byte[] tampered = rewrite(record, "ca", 1, entries -> {
      String metadata = new String(entries.get("metadata"), StandardCharsets.UTF_8)
          .replace(record.active().fingerprint().sha256Hex(), otherHex);
      entries.put("metadata", metadata.getBytes(StandardCharsets.UTF_8));
      return entries;
    });

    assertUnreadable(tampered).hasMessageContaining("metadata fingerprint " + otherHex.substring(0, 16))
        .hasMessageContaining("does not match");
  }

  @Test
  void decode_missingOrBrokenEntries_unreadableNamingEntry() {
    CaRecord record = record(KeyAlgorithm.EC_P256);
    byte[] noKey = rewrite(record, "ca", 1, entries -> {
      entries.remove("ca.key");
      return entries;
    });
    byte[] brokenKey = rewrite(record, "ca", 1, entries -> {
      entries.put("ca.key", "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII));
      return entries;
    });
    byte[] brokenCert = rewrite(record, "ca", 1, entries -> {
      entries.put("ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
      return entries;
    });
    byte[] noCreatedBy = rewrite(record, "ca", 1, entries -> {
      String metadata = new String(entries.get("metadata"), StandardCharsets.UTF_8).replace("created-by=replica-1\n", "");
      entries.put("metadata", metadata.getBytes(StandardCharsets.UTF_8));
      return entries;
    });
    byte[] badAlgorithm = rewrite(record, "ca", 1, entries -> {
      String metadata = new String(entries.get("metadata"), StandardCharsets.UTF_8).replace("EC_P256", "DSA_1024");
      entries.put("metadata", metadata.getBytes(StandardCharsets.UTF_8));
      return entries;
    });

    assertUnreadable(noKey).hasMessageContaining("entry 'ca.key' is missing");
    assertUnreadable(brokenKey).hasMessageContaining("entry 'ca.key'");
    assertUnreadable(brokenCert).hasMessageContaining("entry 'ca.crt'");
    assertUnreadable(noCreatedBy).hasMessageContaining("metadata lacks 'created-by'");
    assertUnreadable(badAlgorithm).hasMessageContaining("key-algorithm 'DSA_1024' is unknown");
  }

  @Test
  void caRecord_invalidFields_rejected() {
    CaMaterial ca = TestPki.ca(KeyAlgorithm.EC_P256);

    assertThatThrownBy(() -> new CaRecord(ca, List.of(), CREATED_AT, "r"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("trustBundle"));
    assertThatThrownBy(() -> new CaRecord(ca, List.of(ca.certificate()), CREATED_AT, "a\nschema=2"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("createdBy"));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertUnreadable(byte[] value) {
    return assertThatThrownBy(() -> codec.decode(new Versioned<>(KEY, value, 3), BACKEND))
        .isExactlyInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("'" + KEY + "' at version 3");
  }

  private byte[] rewrite(
      CaRecord record, String kind, int schema, UnaryOperator<SortedMap<String, byte[]>> change) {
    SortedMap<String, byte[]> entries = new java.util.TreeMap<>(NamedEntries.decode(codec.encode(record)).entries());
    return NamedEntries.of(kind, schema, change.apply(entries)).encode();
  }

  private static String text(NamedEntries envelope, String name) {
    return new String(envelope.entry(name).orElseThrow(), StandardCharsets.UTF_8);
  }
}
