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

  /** Replaces whatever CA record is stored at {@code key} with a new CA; returns the applied version. */
  static Versioned<byte[]> replace(VersionedStore store, String key, CaMaterial ca, List<CaMaterial> alsoTrusted)
      throws Exception {
    Versioned<byte[]> current = store.get(key).get().orElseThrow();
    List<java.security.cert.X509Certificate> bundle = new java.util.ArrayList<>();
    bundle.add(ca.certificate());
    alsoTrusted.forEach(other -> bundle.add(other.certificate()));
    byte[] encoded = new CaRecordCodec(Providers.bouncyCastle())
        .encode(new CaRecord(ca, bundle, Instant.now(), "test-operator"));
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
