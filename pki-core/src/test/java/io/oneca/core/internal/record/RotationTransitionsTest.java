package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.api.security.KeyEncryptionKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pure rotation transitions and the schema 3 encoding of their records. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RotationTransitionsTest {
  private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
  private static final CaGenerator GENERATOR = new CaGenerator(Providers.bouncyCastle(), new SecureRandom());
  private static final String KEY = "oneca/ca";

  private static CaMaterial root(String name) {
    return GENERATOR.generate(new CaSpec("CN=" + name, KeyAlgorithm.EC_P256, Duration.ofDays(100), 0), NOW);
  }

  private static CaRecord initial(CaMaterial active) {
    return new CaRecord(active, List.of(active.certificate()), NOW, "replica-1");
  }

  private static List<Fingerprint> bundle(CaRecord record) {
    return record.trustBundle().stream().map(Fingerprint::of).toList();
  }

  @Test
  void prepareActivatePrune_moveSlotsAndBundle() {
    CaMaterial first = root("first");
    CaMaterial second = root("second");
    CaRecord prepared = RotationTransitions.prepare(initial(first), second, Optional.empty(), NOW);
    assertThat(prepared.prepared()).contains(second);
    assertThat(prepared.preparedAt()).contains(NOW);
    assertThat(bundle(prepared)).containsExactly(first.fingerprint(), second.fingerprint());
    assertThatThrownBy(() -> RotationTransitions.prepare(prepared, root("third"), Optional.empty(), NOW))
        .isInstanceOf(IllegalStateException.class);

    Instant retain = NOW.plus(Duration.ofDays(10));
    RotationTransitions.Step activated = RotationTransitions.activate(prepared, NOW.plusSeconds(60), retain);
    CaRecord active = activated.record();
    assertThat(active.active()).isEqualTo(second);
    assertThat(active.prepared()).isEmpty();
    assertThat(active.retired()).singleElement().satisfies(old -> {
      assertThat(old.fingerprint()).isEqualTo(first.fingerprint());
      assertThat(old.retainUntil()).isEqualTo(retain);
    });
    assertThat(bundle(active)).containsExactly(first.fingerprint(), second.fingerprint());

    assertThat(RotationTransitions.pruneRetired(active, retain.minusSeconds(1)).record()).isSameAs(active);
    RotationTransitions.Step pruned = RotationTransitions.pruneRetired(active, retain);
    assertThat(pruned.dropped()).extracting(RetiredCa::fingerprint).containsExactly(first.fingerprint());
    assertThat(pruned.record().retired()).isEmpty();
    assertThat(bundle(pruned.record())).containsExactly(second.fingerprint());
  }

  @Test
  void force_dropsPrepared_andDistrustRemovesTheOldRoot() {
    CaMaterial first = root("first");
    CaMaterial unused = root("unused");
    CaMaterial fresh = root("fresh");
    CaRecord prepared = RotationTransitions.prepare(initial(first), unused, Optional.empty(), NOW);

    CaRecord kept = RotationTransitions.force(prepared, fresh, Optional.empty(), false, NOW, NOW.plusSeconds(5)).record();
    assertThat(kept.active()).isEqualTo(fresh);
    assertThat(kept.prepared()).isEmpty();
    assertThat(bundle(kept)).containsExactlyInAnyOrder(first.fingerprint(), fresh.fingerprint());

    CaRecord distrusted = RotationTransitions.force(prepared, fresh, Optional.empty(), true, NOW, NOW).record();
    assertThat(distrusted.retired()).isEmpty();
    assertThat(bundle(distrusted)).containsExactly(fresh.fingerprint());
  }

  @Test
  void intermediates_shareTheRoot_whichNeverLeavesTheBundle() {
    CaMaterial offlineRoot = GENERATOR.generate(new CaSpec("CN=root", KeyAlgorithm.EC_P256, Duration.ofDays(900), 1), NOW);
    CaSpec spec = new CaSpec("CN=intermediate", KeyAlgorithm.EC_P256, Duration.ofDays(100), 0);
    CaMaterial one = GENERATOR.generateIntermediate(spec, offlineRoot, NOW, List.of());
    CaMaterial two = GENERATOR.generateIntermediate(spec, offlineRoot, NOW, List.of());
    CaRecord record = new CaRecord(one, List.of(offlineRoot.certificate()), NOW, "r");
    CaRecord forced = RotationTransitions.force(record, two, Optional.empty(), true, NOW, NOW).record();
    assertThat(bundle(forced)).containsExactly(offlineRoot.fingerprint());
  }

  @Test
  void retiredList_isCapped_droppingTheOldest() {
    CaRecord record = initial(root("gen-0"));
    List<Fingerprint> retiredInOrder = new java.util.ArrayList<>();
    for (int i = 1; i <= RotationTransitions.MAX_RETIRED + 2; i++) {
      retiredInOrder.add(record.active().fingerprint());
      RotationTransitions.Step step = RotationTransitions.force(record, root("gen-" + i), Optional.empty(), false, NOW,
          NOW.plus(Duration.ofDays(1)));
      record = step.record();
      if (i > RotationTransitions.MAX_RETIRED) {
        assertThat(step.dropped()).extracting(RetiredCa::fingerprint).containsExactly(retiredInOrder.get(i - 1 - RotationTransitions.MAX_RETIRED));
      }
    }
    assertThat(record.retired()).hasSize(RotationTransitions.MAX_RETIRED);
    assertThat(record.trustBundle()).hasSize(RotationTransitions.MAX_RETIRED + 1);
  }

  @Test
  void schema3_roundTrips_plaintextAndEncrypted_withEverySlot() {
    CaMaterial first = root("first");
    CaMaterial second = root("second");
    CaMaterial third = root("third");
    X509Certificate cross = GENERATOR.crossCertify(third.certificate(), second, NOW);
    CaRecord record = RotationTransitions.activate(
        RotationTransitions.prepare(initial(first), second, Optional.empty(), NOW), NOW, NOW.plusSeconds(99)).record();
    record = RotationTransitions.prepare(record, third, Optional.of(cross), NOW.plusSeconds(5));

    KeyEncryptionKey kek = KeyEncryptionKeys.ofBytes(new byte[32]);
    for (CaRecordCodec codec : List.of(new CaRecordCodec(Providers.bouncyCastle()),
        new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(kek, List.of(), false)))) {
      byte[] encoded = codec.encode(record, KEY);
      assertThat(NamedEntries.decode(encoded).schemaVersion()).isIn(
          CaRecordCodec.ROTATION_SCHEMA_VERSION, CaRecordCodec.AUTHENTICATED_SCHEMA_VERSION);
      CaRecord decoded = codec.decode(new Versioned<>(KEY, encoded, 7), "test");
      assertThat(decoded.active().fingerprint()).isEqualTo(second.fingerprint());
      assertThat(decoded.prepared().orElseThrow().fingerprint()).isEqualTo(third.fingerprint());
      assertThat(decoded.prepared().orElseThrow().privateKey().getEncoded()).isEqualTo(third.privateKey().getEncoded());
      assertThat(decoded.preparedAt()).isEqualTo(record.preparedAt());
      assertThat(decoded.preparedCross()).contains(cross);
      assertThat(decoded.retired()).isEqualTo(record.retired());
      assertThat(decoded.trustBundle()).isEqualTo(record.trustBundle());
    }
  }

  @Test
  void recordsWithoutRotationState_keepTheOlderSchemas() {
    CaRecord record = initial(root("only"));
    assertThat(NamedEntries.decode(new CaRecordCodec(Providers.bouncyCastle()).encode(record, KEY)).schemaVersion())
        .isEqualTo(CaRecordCodec.PLAINTEXT_SCHEMA_VERSION);
  }

  @Test
  void olderSchema_holdingRotationEntries_isUnreadable() {
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());
    NamedEntries plain = NamedEntries.decode(codec.encode(initial(root("only")), KEY));
    TreeMap<String, byte[]> entries = new TreeMap<>(plain.entries());
    entries.put("next.crt", entries.get("ca.crt"));
    byte[] smuggled = new NamedEntries("ca", 1, entries).encode();
    assertThatThrownBy(() -> codec.decode(new Versioned<>(KEY, smuggled, 3), "test"))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("must not hold 'next.crt'");
  }

  @Test
  void tamperedPreparedFingerprint_isUnreadable() {
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());
    CaRecord record = RotationTransitions.prepare(initial(root("first")), root("second"), Optional.empty(), NOW);
    NamedEntries envelope = NamedEntries.decode(codec.encode(record, KEY));
    TreeMap<String, byte[]> entries = new TreeMap<>(envelope.entries());
    entries.put("next.crt", entries.get("ca.crt"));
    byte[] tampered = new NamedEntries("ca", envelope.schemaVersion(), entries).encode();
    assertThatThrownBy(() -> codec.decode(new Versioned<>(KEY, tampered, 3), "test"))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("next-fingerprint");
  }
}
