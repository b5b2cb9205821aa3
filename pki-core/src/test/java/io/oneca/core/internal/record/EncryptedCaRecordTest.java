package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CaKeyDecryptionException;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.security.KeyEncryptionKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EncryptedCaRecordTest {
  private static final String KEY = "oneca/prod/ca";
  private static final String BACKEND = "test";
  private static final KeyEncryptionKey KEK = KeyEncryptionKeys.ofBytes(bytes(1));
  private static final KeyEncryptionKey OTHER_KEK = KeyEncryptionKeys.ofBytes(bytes(2));

  private final CaRecordCodec encrypting = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KEK, List.of(), false));

  private static byte[] bytes(int fill) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) fill);
    return key;
  }

  private static CaRecord record(KeyAlgorithm algorithm) {
    CaMaterial ca = TestPki.ca(algorithm);
    return new CaRecord(ca, List.of(ca.certificate()), Instant.parse("2026-01-01T00:00:00Z"), "replica-1");
  }

  private static Versioned<byte[]> stored(byte[] value) {
    return new Versioned<>(KEY, value, 7);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void encode_withKek_schema4WithoutPlaintextKeyAndDecodesToSameKey(KeyAlgorithm algorithm) {
    CaRecord original = record(algorithm);
    byte[] value = encrypting.encode(original, KEY);

    NamedEntries envelope = NamedEntries.decode(value);
    assertThat(envelope.schemaVersion()).isEqualTo(4);
    assertThat(envelope.entries().keySet())
        .containsExactly("ca.crt", "ca.key.enc", "metadata", "record.auth", "trust-bundle.pem");
    assertThat(new String(envelope.entry("metadata").orElseThrow(), StandardCharsets.UTF_8))
        .contains("key-protection=kek\n", "kek-id=" + KEK.id() + "\n");
    byte[] der = original.active().privateKey().getEncoded();
    String text = new String(value, StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(der).substring(0, 40));
    assertThat(text).doesNotContain(new String(der, StandardCharsets.ISO_8859_1).substring(der.length - 32));
    assertThat(HexFormat.of().formatHex(value)).doesNotContain(HexFormat.of().formatHex(der).substring(0, 64));

    CaRecord decoded = encrypting.decode(stored(value), BACKEND);
    assertThat(decoded.active().privateKey().getEncoded()).isEqualTo(der);
    assertThat(decoded.active().chain()).isEqualTo(original.active().chain());
    assertThat(encrypting.keyEncryptionKeyId(stored(value), BACKEND)).contains(KEK.id());
  }

  @Test
  void encode_twice_differentCiphertexts() {
    CaRecord original = record(KeyAlgorithm.EC_P256);
    assertThat(encrypting.encode(original, KEY)).isNotEqualTo(encrypting.encode(original, KEY));
  }

  @Test
  void decode_wrongKeyMaterialUnderSameId_typedErrorNamingTheKey() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);
    KeyEncryptionKey impostor = new KeyEncryptionKey() {
      @Override
      public String id() {
        return KEK.id();
      }

      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        return OTHER_KEK.encrypt(plaintext, associatedData);
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws java.security.GeneralSecurityException {
        return OTHER_KEK.decrypt(ciphertext, associatedData);
      }
    };
    CaRecordCodec wrong = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(impostor, List.of(), false));

    assertThatThrownBy(() -> wrong.decode(stored(value), BACKEND))
        .isInstanceOfSatisfying(CaKeyDecryptionException.class, e -> {
          assertThat(e.requiredKeyId()).contains(KEK.id());
          assertThat(e.version()).isEqualTo(7);
        })
        .hasMessageContaining("does not decrypt");
  }

  @Test
  void decode_otherKekConfigured_typedErrorNamingBothIds() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);
    CaRecordCodec other = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(OTHER_KEK, List.of(), false));

    assertThatThrownBy(() -> other.decode(stored(value), BACKEND))
        .isInstanceOf(CaKeyDecryptionException.class)
        .hasMessageContaining(KEK.id())
        .hasMessageContaining(OTHER_KEK.id());
  }

  @Test
  void decode_noKekConfigured_typedError() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);

    assertThatThrownBy(() -> new CaRecordCodec(TestPki.BC).decode(stored(value), BACKEND))
        .isInstanceOfSatisfying(CaKeyDecryptionException.class, e -> assertThat(e.requiredKeyId()).contains(KEK.id()))
        .hasMessageContaining("none is configured");
  }

  @Test
  void decode_previousKeyConfigured_reads() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);
    CaRecordCodec rolled = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(OTHER_KEK, List.of(KEK), false));

    assertThat(rolled.decode(stored(value), BACKEND).active().fingerprint())
        .isEqualTo(TestPki.ca(KeyAlgorithm.EC_P256).fingerprint());
  }

  @Test
  void decode_valueMovedToAnotherStoreKey_failsAuthentication() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);

    assertThatThrownBy(() -> encrypting.decode(new Versioned<>("oneca/other/ca", value, 7), BACKEND))
        .isInstanceOf(CaKeyDecryptionException.class)
        .hasMessageContaining("does not decrypt");
  }

  @Test
  void decode_ciphertextSplicedIntoAnotherCasRecord_failsAuthentication() {
    byte[] mine = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);
    byte[] theirs = encrypting.encode(record(KeyAlgorithm.EC_P384), KEY);
    TreeMap<String, byte[]> entries = new TreeMap<>(NamedEntries.decode(theirs).entries());
    entries.put("ca.key.enc", NamedEntries.decode(mine).entry("ca.key.enc").orElseThrow());
    byte[] spliced = new NamedEntries("ca", 4, entries).encode();

    assertThatThrownBy(() -> encrypting.decode(stored(spliced), BACKEND)).isInstanceOf(CaKeyDecryptionException.class);
  }

  @Test
  void decode_ciphertextByteFlipped_failsAuthentication() {
    byte[] value = encrypting.encode(record(KeyAlgorithm.EC_P256), KEY);
    TreeMap<String, byte[]> entries = new TreeMap<>(NamedEntries.decode(value).entries());
    byte[] ciphertext = entries.get("ca.key.enc");
    ciphertext[ciphertext.length / 2] ^= 1;
    entries.put("ca.key.enc", ciphertext);

    assertThatThrownBy(() -> encrypting.decode(stored(new NamedEntries("ca", 4, entries).encode()), BACKEND))
        .isInstanceOf(CaKeyDecryptionException.class);
  }

  @Test
  void decode_plaintextRecordWhenEncryptionRequired_typedErrorWithoutKeyId() {
    byte[] plaintext = new CaRecordCodec(TestPki.BC).encode(record(KeyAlgorithm.EC_P256));

    assertThatThrownBy(() -> encrypting.decode(stored(plaintext), BACKEND))
        .isInstanceOfSatisfying(CaKeyDecryptionException.class, e -> assertThat(e.requiredKeyId()).isEmpty())
        .hasMessageContaining("plaintext");
    CaRecordCodec migrating = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KEK, List.of(), true));
    assertThat(migrating.decode(stored(plaintext), BACKEND).createdBy()).isEqualTo("replica-1");
    assertThat(migrating.keyEncryptionKeyId(stored(plaintext), BACKEND)).isEmpty();
  }

  @Test
  void decode_schema2WithPlaintextKeyToo_unreadable() {
    byte[] value = LegacyRecords.unauthenticated(encrypting.encode(record(KeyAlgorithm.EC_P256), KEY), KEK, KEY);
    TreeMap<String, byte[]> entries = new TreeMap<>(NamedEntries.decode(value).entries());
    entries.put("ca.key", "x".getBytes(StandardCharsets.US_ASCII));
    CaRecordCodec migrating = new CaRecordCodec(TestPki.BC, CaKeyProtection.encrypted(KEK, List.of(), false, true));

    assertThatThrownBy(() -> migrating.decode(stored(new NamedEntries("ca", 2, entries).encode()), BACKEND))
        .isInstanceOf(UnreadableRecordException.class)
        .isNotInstanceOf(CaKeyDecryptionException.class)
        .hasMessageContaining("must not hold a plaintext");
  }

  @Test
  void encode_withoutKekOrPlaintext_refused() {
    CaKeyProtection protection = CaKeyProtection.encrypted(KEK, List.of(), false);
    assertThatThrownBy(() -> new CaRecordCodec(TestPki.BC, protection).encode(record(KeyAlgorithm.EC_P256)))
        .isInstanceOf(IllegalStateException.class);
  }
}
