package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.LegacyRecords;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.security.KeyReencryption;
import io.oneca.core.store.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Someone who can write the store but does not hold the key-encryption key adds a root to the trust
 * bundle with a raw store write: no replica adopts it, and the stored bytes are never overwritten.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordTamperingTest {
  private static final String KEY = OneCaBuilder.DEFAULT_CA_KEY;
  private static final KeyEncryptionKey KEK = KeyEncryptionKeys.ofBytes(filled(0x33));
  private static final X509Certificate INTRUDER = new CaGenerator(Providers.bouncyCastle(), new SecureRandom())
      .generate(new CaSpec("CN=intruder", KeyAlgorithm.EC_P256, Duration.ofDays(30), 0), Instant.now())
      .certificate();

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

  private OneCa replica(boolean allowUnauthenticated) {
    OneCaBuilder builder = OneCa.builder().store(store.newClient()).keyEncryptionKey(KEK).auditSink(events::add);
    if (allowUnauthenticated) {
      builder.allowUnauthenticatedCaRecords();
    }
    return builder.build();
  }

  private Versioned<byte[]> storedNow() {
    return store.get(KEY).join().orElseThrow();
  }

  /** The raw store write of someone without the key-encryption key. */
  private Versioned<byte[]> writeRaw(byte[] value) {
    CasResult result = store.compareAndSet(KEY, Precondition.atVersion(storedNow().version()), value).join();
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return storedNow();
  }

  private static byte[] withIntruderInBundle(byte[] value) {
    NamedEntries envelope = NamedEntries.decode(value);
    TreeMap<String, byte[]> entries = new TreeMap<>(envelope.entries());
    List<X509Certificate> bundle = new ArrayList<>(
        Pem.decodeCertificates(new String(entries.get("trust-bundle.pem"), StandardCharsets.US_ASCII)));
    bundle.add(INTRUDER);
    entries.put("trust-bundle.pem", Pem.encodeCertificates(bundle).getBytes(StandardCharsets.US_ASCII));
    return new NamedEntries(envelope.kind(), envelope.schemaVersion(), entries).encode();
  }

  @Test
  void start_rootAddedToStoredBundle_newReplicaRefusesAndStoreUnchanged() {
    try (OneCa first = replica(false)) {
      assertThat(first.start().outcome()).isEqualTo(Outcome.CREATED);
    }
    Versioned<byte[]> tampered = writeRaw(withIntruderInBundle(storedNow().value()));

    try (OneCa second = replica(false)) {
      assertThatThrownBy(second::start)
          .isInstanceOfSatisfying(UnreadableRecordException.class, e -> assertThat(e.version()).isEqualTo(tampered.version()))
          .hasMessageContaining("not authentic");
    }
    assertThat(storedNow().version()).isEqualTo(tampered.version());
    assertThat(storedNow().value()).isEqualTo(tampered.value());
    assertThat(events).anySatisfy(e -> assertThat(e.type()).isEqualTo(AuditEventType.CA_BOOTSTRAP_FAILED));
  }

  @Test
  void reload_rootAddedToStoredBundle_runningReplicaKeepsWhatItTrusts() {
    try (OneCa running = replica(false)) {
      running.start();
      long adopted = running.ca().storeVersion();
      writeRaw(withIntruderInBundle(storedNow().value()));

      running.reload().handle((view, error) -> null).join();

      assertThat(running.ca().storeVersion()).isEqualTo(adopted);
      assertThat(running.ca().trustBundle()).doesNotContain(INTRUDER);
    }
  }

  @Test
  void start_recordWrittenBeforeAuthentication_refusedUntilMigratedThenAuthenticatedByReencryption() {
    try (OneCa first = replica(false)) {
      first.start();
    }
    byte[] legacy = LegacyRecords.unauthenticated(storedNow().value(), KEK, KEY);
    Versioned<byte[]> written = writeRaw(legacy);

    try (OneCa strict = replica(false)) {
      assertThatThrownBy(strict::start).isInstanceOf(UnreadableRecordException.class)
          .hasMessageContaining("not authenticated");
    }
    assertThat(storedNow().value()).isEqualTo(written.value());
    try (OneCa migrating = replica(true)) {
      assertThat(migrating.start().outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    }

    KeyReencryption.Result result = KeyReencryption.reencrypt(store, KEY, KEK, List.of(), events::add, "operator");

    assertThat(result.outcome()).isEqualTo(KeyReencryption.Outcome.REENCRYPTED);
    assertThat(NamedEntries.decode(storedNow().value()).schemaVersion()).isEqualTo(4);
    assertThat(events).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(AuditEventType.CA_KEY_REENCRYPTED);
      assertThat(e.details()).containsEntry("wasAuthenticated", "false");
    });
    try (OneCa strict = replica(false)) {
      assertThat(strict.start().outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    }
    assertThat(KeyReencryption.reencrypt(store, KEY, KEK, List.of(), events::add, "operator").outcome())
        .isEqualTo(KeyReencryption.Outcome.ALREADY_CURRENT);
  }

  @Test
  void reencrypt_toANewKek_recordAuthenticatedUnderTheNewKeyOnly() {
    try (OneCa first = replica(false)) {
      first.start();
    }
    KeyEncryptionKey next = KeyEncryptionKeys.ofBytes(filled(0x44));
    KeyReencryption.reencrypt(store, KEY, next, List.of(KEK), events::add, "operator");

    try (OneCa rolled = OneCa.builder().store(store.newClient()).keyEncryptionKey(next).build()) {
      assertThat(rolled.start().outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    }
    writeRaw(withIntruderInBundle(storedNow().value()));
    try (OneCa rolled = OneCa.builder().store(store.newClient()).keyEncryptionKey(next).build()) {
      assertThatThrownBy(rolled::start).isInstanceOf(UnreadableRecordException.class)
          .hasMessageContaining("not authentic");
    }
  }

  @Test
  void build_unauthenticatedOptInWithoutKek_refused() {
    assertThatThrownBy(() -> OneCa.builder().store(store).allowPlaintextCaKey().allowUnauthenticatedCaRecords().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keyEncryptionKey");
  }
}
