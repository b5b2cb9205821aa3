package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.CaKeyDecryptionException;
import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.security.KeyReencryption;
import io.oneca.core.store.InMemoryStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Encryption at rest through the public API: bootstrap fails closed, re-encryption by compare-and-set. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyEncryptionAtRestTest {
  private static final String KEY = OneCaBuilder.DEFAULT_CA_KEY;
  private static final KeyEncryptionKey KEK_A = KeyEncryptionKeys.ofBytes(filled(0x11));
  private static final KeyEncryptionKey KEK_B = KeyEncryptionKeys.ofBytes(filled(0x22));

  private final InMemoryStore store = InMemoryStore.create();
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] filled(int value) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) value);
    return key;
  }

  private BootstrapResult startWith(KeyEncryptionKey kek) {
    try (OneCa oneCa = OneCa.builder().store(store.newClient()).keyEncryptionKey(kek).auditSink(events::add).build()) {
      return oneCa.start();
    }
  }

  private Versioned<byte[]> storedNow() {
    return store.get(KEY).join().orElseThrow();
  }

  @Test
  void build_neitherKekNorPlaintextOptIn_refusedWithHowToFix() {
    assertThatThrownBy(() -> OneCa.builder().store(store).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keyEncryptionKey(...)")
        .hasMessageContaining("allowPlaintextCaKey()");
  }

  @Test
  void start_withKek_storesEncryptedRecordThatAnotherReplicaWithSameKekAdopts() {
    BootstrapResult created = startWith(KEK_A);
    BootstrapResult adopted = startWith(KEK_A);

    assertThat(created.outcome()).isEqualTo(Outcome.CREATED);
    assertThat(adopted.outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    assertThat(adopted.ca().fingerprint()).isEqualTo(created.ca().fingerprint());
    NamedEntries envelope = NamedEntries.decode(storedNow().value());
    assertThat(envelope.schemaVersion()).isEqualTo(4);
    assertThat(envelope.entries()).containsKey("ca.key.enc").containsKey("record.auth").doesNotContainKey("ca.key");
  }

  @Test
  void start_wrongKek_failsClosedAndStoredBytesUnchanged() {
    startWith(KEK_A);
    Versioned<byte[]> before = storedNow();

    assertThatThrownBy(() -> startWith(KEK_B))
        .isInstanceOfSatisfying(CaKeyDecryptionException.class, e -> {
          assertThat(e.requiredKeyId()).contains(KEK_A.id());
          assertThat(e.key()).isEqualTo(KEY);
          assertThat(e.version()).isEqualTo(before.version());
        });

    Versioned<byte[]> after = storedNow();
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(after.value()).isEqualTo(before.value());
    assertThat(events).anySatisfy(e -> assertThat(e.type()).isEqualTo(AuditEventType.CA_BOOTSTRAP_FAILED));
  }

  @Test
  void start_noKekButPlaintextOptIn_encryptedRecordFailsClosedAndUnchanged() {
    startWith(KEK_A);
    Versioned<byte[]> before = storedNow();

    try (OneCa plaintext = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().build()) {
      assertThatThrownBy(plaintext::start).isInstanceOf(CaKeyDecryptionException.class);
    }

    assertThat(storedNow().version()).isEqualTo(before.version());
    assertThat(storedNow().value()).isEqualTo(before.value());
  }

  @Test
  void start_kekReplicaFindsPlaintextRecord_refusedUnlessMigrating() {
    try (OneCa legacy = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().build()) {
      legacy.start();
    }
    Versioned<byte[]> before = storedNow();
    assertThat(NamedEntries.decode(before.value()).schemaVersion()).isEqualTo(1);

    assertThatThrownBy(() -> startWith(KEK_A))
        .isInstanceOfSatisfying(CaKeyDecryptionException.class, e -> assertThat(e.requiredKeyId()).isEmpty());
    assertThat(storedNow().value()).isEqualTo(before.value());

    try (OneCa migrating = OneCa.builder().store(store.newClient()).keyEncryptionKey(KEK_A).allowPlaintextCaKey().build()) {
      assertThat(migrating.start().outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    }
  }

  @Test
  void reencrypt_plaintextThenNewKek_sameCaReadableOnlyWithNewKeyAndAudited() {
    try (OneCa legacy = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().build()) {
      legacy.start();
    }
    String fingerprint = storedFingerprint();

    KeyReencryption.Result first = KeyReencryption.reencrypt(store, KEY, KEK_A, List.of(), events::add, "operator");
    assertThat(first.outcome()).isEqualTo(KeyReencryption.Outcome.REENCRYPTED);
    assertThat(first.fromKeyId()).isEmpty();
    KeyReencryption.Result second = KeyReencryption.reencrypt(store, KEY, KEK_B, List.of(KEK_A), events::add, "operator");
    assertThat(second.outcome()).isEqualTo(KeyReencryption.Outcome.REENCRYPTED);
    assertThat(second.fromKeyId()).contains(KEK_A.id());
    assertThat(second.writtenVersion()).isGreaterThan(second.readVersion());

    assertThat(startWith(KEK_B).ca().fingerprint().sha256Hex()).isEqualTo(fingerprint);
    assertThatThrownBy(() -> startWith(KEK_A)).isInstanceOf(CaKeyDecryptionException.class);
    assertThat(KeyReencryption.reencrypt(store, KEY, KEK_B, List.of(), events::add, "operator").outcome())
        .isEqualTo(KeyReencryption.Outcome.ALREADY_CURRENT);
    assertThat(events.stream().filter(e -> e.type() == AuditEventType.CA_KEY_REENCRYPTED))
        .hasSize(2)
        .last()
        .satisfies(e -> assertThat(e.details())
            .containsEntry("fromKeyId", KEK_A.id())
            .containsEntry("toKeyId", KEK_B.id())
            .containsEntry("caFingerprint", fingerprint));
  }

  @Test
  void reencrypt_recordWithAPreparedCa_keepsEverySlotAndBothKeysReadableWithTheNewKek() throws Exception {
    io.oneca.core.rotation.RotationStatus prepared;
    try (OneCa oneCa = OneCa.builder().store(store.newClient()).keyEncryptionKey(KEK_A)
        .rotation(io.oneca.core.rotation.RotationPolicy.builder().automatic(false).build()).build()) {
      oneCa.start();
      oneCa.rotation().prepare().get(10, TimeUnit.SECONDS);
      oneCa.rotation().activate().get(10, TimeUnit.SECONDS);
      prepared = oneCa.rotation().prepare().get(10, TimeUnit.SECONDS).status();
    }

    KeyReencryption.reencrypt(store, KEY, KEK_B, List.of(KEK_A));

    try (OneCa withNewKek = OneCa.builder().store(store.newClient()).keyEncryptionKey(KEK_B)
        .rotation(io.oneca.core.rotation.RotationPolicy.builder().automatic(false).build()).build()) {
      withNewKek.start();
      io.oneca.core.rotation.RotationStatus after = withNewKek.rotation().status();
      assertThat(after.active().fingerprint()).isEqualTo(prepared.active().fingerprint());
      assertThat(after.prepared().orElseThrow().fingerprint()).isEqualTo(prepared.prepared().orElseThrow().fingerprint());
      assertThat(after.retired()).extracting(io.oneca.core.rotation.CaSlot::fingerprint)
          .isEqualTo(prepared.retired().stream().map(io.oneca.core.rotation.CaSlot::fingerprint).toList());
      // The prepared CA's key decrypts with the new KEK too: activating it works.
      assertThat(withNewKek.rotation().activate().get(10, TimeUnit.SECONDS).applied()).isTrue();
      assertThat(withNewKek.ca().fingerprint()).isEqualTo(prepared.prepared().orElseThrow().fingerprint());
    }
  }

  @Test
  void reencrypt_withoutTheCurrentKey_typedErrorAndUnchanged() {
    startWith(KEK_A);
    Versioned<byte[]> before = storedNow();

    assertThatThrownBy(() -> KeyReencryption.reencrypt(store, KEY, KEK_B, List.of(), events::add, "operator"))
        .isInstanceOf(CaKeyDecryptionException.class);

    assertThat(storedNow().version()).isEqualTo(before.version());
    assertThat(storedNow().value()).isEqualTo(before.value());
  }

  @Test
  void reencrypt_recordChangedBetweenReadAndWrite_conflictAndNothingWritten() {
    startWith(KEK_A);
    InterferingStore interfering = new InterferingStore(store.newClient());

    KeyReencryption.Result result = KeyReencryption.reencrypt(interfering, KEY, KEK_B, List.of(KEK_A), events::add, "operator");

    assertThat(result.outcome()).isEqualTo(KeyReencryption.Outcome.CONFLICT);
    assertThat(result.writtenVersion()).isZero();
    assertThat(startWith(KEK_A).outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
  }

  @Test
  void reencrypt_absent_reportsAbsent() {
    assertThat(KeyReencryption.reencrypt(store, KEY, KEK_A, List.of()).outcome())
        .isEqualTo(KeyReencryption.Outcome.ABSENT);
  }

  private String storedFingerprint() {
    try (OneCa reader = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().build()) {
      return reader.start().ca().fingerprint().sha256Hex();
    }
  }
}
