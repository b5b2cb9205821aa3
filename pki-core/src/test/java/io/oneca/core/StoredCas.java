package io.oneca.core;

import io.oneca.api.KeyAlgorithm;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Test support: writes CA records into a store the way another replica (or an operator) would. */
final class StoredCas {
  private StoredCas() {}

  static CaMaterial newCa(String subject, Duration validity, Instant now) {
    return new CaGenerator(Providers.bouncyCastle(), new SecureRandom())
        .generate(new CaSpec(subject, KeyAlgorithm.EC_P256, validity, 0), now);
  }

  /**
   * Replaces the CA record stored at {@code key} with a successor: a new active CA that retires the
   * stored one (as a forced rotation does), so replicas see it continue their line. Returns the
   * applied version.
   */
  static Versioned<byte[]> replace(VersionedStore store, String key, CaMaterial ca, List<CaMaterial> alsoTrusted)
      throws Exception {
    Versioned<byte[]> current = store.get(key).get().orElseThrow();
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());
    CaRecord held = codec.decode(current, "test");
    List<java.security.cert.X509Certificate> bundle = new java.util.ArrayList<>();
    bundle.add(ca.certificate());
    alsoTrusted.forEach(other -> bundle.add(other.certificate()));
    bundle.add(held.active().certificate());
    Instant now = Instant.now();
    byte[] encoded = codec.encode(new CaRecord(ca, bundle, now, "test-operator", java.util.Optional.empty(),
        java.util.Optional.empty(), List.of(new io.oneca.core.internal.record.RetiredCa(held.active().chain(), now,
            now.plus(Duration.ofDays(1)))), java.util.Optional.empty(), java.util.Optional.empty()));
    CasResult result = store.compareAndSet(key, Precondition.atVersion(current.version()), encoded).get();
    if (!(result instanceof CasResult.Applied applied)) {
      throw new AssertionError("replacing the CA lost a race: " + result);
    }
    return applied.value();
  }

  /**
   * Replaces the stored record with one of a CA that has nothing to do with it (as a re-created
   * record or a restore from another installation would); returns the applied version.
   */
  static Versioned<byte[]> replaceUnrelated(VersionedStore store, String key, CaMaterial ca) throws Exception {
    Versioned<byte[]> current = store.get(key).get().orElseThrow();
    byte[] encoded = new CaRecordCodec(Providers.bouncyCastle())
        .encode(new CaRecord(ca, List.of(ca.certificate()), Instant.now(), "test-operator"));
    CasResult result = store.compareAndSet(key, Precondition.atVersion(current.version()), encoded).get();
    if (!(result instanceof CasResult.Applied applied)) {
      throw new AssertionError("replacing the CA lost a race: " + result);
    }
    return applied.value();
  }

  /** Overwrites the record with bytes that are not a CA record; returns the applied version. */
  static Versioned<byte[]> corrupt(VersionedStore store, String key) throws Exception {
    Versioned<byte[]> current = store.get(key).get().orElseThrow();
    CasResult result = store.compareAndSet(key, Precondition.atVersion(current.version()),
        "not a record".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get();
    if (!(result instanceof CasResult.Applied applied)) {
      throw new AssertionError("corrupting the CA lost a race: " + result);
    }
    return applied.value();
  }
}
