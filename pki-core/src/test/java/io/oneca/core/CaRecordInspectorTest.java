package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.store.InMemoryStore;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading a stored CA record's public part without any key-encryption key. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaRecordInspectorTest {
  private static final String KEY = OneCaBuilder.DEFAULT_CA_KEY;
  private final InMemoryStore store = InMemoryStore.create();

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void read_encryptedRecord_givesCertificatesAndKekIdWithoutTheKek() {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 7);
    KeyEncryptionKey kek = KeyEncryptionKeys.ofBytes(bytes);
    BootstrapResult started;
    try (OneCa oneCa = OneCa.builder().store(store).keyEncryptionKey(kek).build()) {
      started = oneCa.start();
    }

    CaRecordSummary summary = CaRecordInspector.read(store, KEY, 5_000).orElseThrow();

    assertThat(summary.fingerprint()).isEqualTo(started.ca().fingerprint());
    assertThat(summary.storeVersion()).isEqualTo(started.ca().storeVersion());
    assertThat(summary.storeKey()).isEqualTo(KEY);
    assertThat(summary.schema()).isEqualTo(4);
    assertThat(summary.keyEncrypted()).isTrue();
    assertThat(summary.keyEncryptionKeyId()).contains(kek.id());
    assertThat(summary.keyAlgorithm()).isEqualTo(started.ca().keyAlgorithm());
    assertThat(summary.trustBundle()).isEqualTo(started.ca().trustBundle());
    assertThat(summary.notAfter()).isEqualTo(started.ca().notAfter());
  }

  @Test
  void read_plaintextRecord_reportsNotEncrypted() {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      oneCa.start();
    }
    CaRecordSummary summary = CaRecordInspector.read(store, KEY, 5_000).orElseThrow();
    assertThat(summary.schema()).isEqualTo(1);
    assertThat(summary.keyEncrypted()).isFalse();
    assertThat(summary.keyEncryptionKeyId()).isEmpty();
  }

  @Test
  void read_afterPrepareAndActivate_showsPreparedThenRetiredSlots() {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) 9);
    try (OneCa oneCa = OneCa.builder().store(store).keyEncryptionKey(KeyEncryptionKeys.ofBytes(bytes)).build()) {
      oneCa.start();
      io.oneca.api.Fingerprint first = oneCa.ca().fingerprint();
      assertThat(oneCa.rotation().prepare().join().applied()).isTrue();

      CaRecordSummary prepared = CaRecordInspector.read(store, KEY, 5_000).orElseThrow();
      assertThat(prepared.schema()).isEqualTo(4);
      assertThat(prepared.keyEncrypted()).isTrue();
      assertThat(prepared.fingerprint()).isEqualTo(first);
      assertThat(prepared.prepared()).isPresent();
      io.oneca.api.Fingerprint next = prepared.prepared().get().fingerprint();
      assertThat(prepared.prepared().get().role()).isEqualTo(io.oneca.core.rotation.CaSlot.Role.PREPARED);
      assertThat(prepared.prepared().get().since()).isPresent();
      assertThat(prepared.trustBundle()).hasSize(2);
      assertThat(prepared.retired()).isEmpty();

      io.oneca.core.rotation.TransitionResult activation = oneCa.rotation().activate().join();
      assertThat(activation.applied()).isTrue();
      CaRecordSummary activated = CaRecordInspector.read(store, KEY, 5_000).orElseThrow();
      assertThat(activated.fingerprint()).isEqualTo(next);
      assertThat(activated.prepared()).isEmpty();
      assertThat(activated.retired()).singleElement().satisfies(retired -> {
        assertThat(retired.fingerprint()).isEqualTo(first);
        assertThat(retired.retainUntil()).isPresent();
      });
      assertThat(activated.storeVersion()).isEqualTo(activation.status().storeVersion());
    }
  }

  @Test
  void read_absentKey_isEmpty() {
    assertThat(CaRecordInspector.read(store, "other/ca", 5_000)).isEmpty();
  }

  @Test
  void read_garbage_unreadableNamingKeyAndVersion() throws Exception {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      oneCa.start();
    }
    long version = StoredCas.corrupt(store, KEY).version();
    assertThatThrownBy(() -> CaRecordInspector.read(store, KEY, 5_000))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining(KEY)
        .hasMessageContaining(Long.toString(version));
  }
}
