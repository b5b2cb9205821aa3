package io.oneca.backend.zk;

import io.oneca.api.BootstrapResult;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.RetryPolicy;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.testkit.ReplicaRace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * OneCA replicas for bootstrap races against ZooKeeper, as pki-core's BootstrapRaceTest builds
 * them: each replica is a real {@link OneCa} on its own store client (its own ZooKeeper session).
 */
final class CaReplicas {
  /** One key-encryption key shared by every replica of a test, as a deployment would share one. */
  static final io.oneca.api.security.KeyEncryptionKey KEK =
      io.oneca.core.security.KeyEncryptionKeys.ofBytes(randomKey());

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return key;
  }

  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(),
      io.oneca.core.internal.record.CaKeyProtection.encrypted(KEK, java.util.List.of(), false));
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RetryPolicy retry;

  CaReplicas(RetryPolicy retry) {
    this.retry = retry;
  }

  /** A replica that bootstraps with OneCA on {@code client} and returns the adopted CA's fingerprint. */
  ReplicaRace.Replica replica(VersionedStore client, String id) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    toClose.add(scheduler::shutdownNow);
    toClose.add(client);
    return caKey -> {
      try (OneCa oneCa = OneCa.builder().keyEncryptionKey(KEK).store(client).caKey(caKey).replicaId(id).scheduler(scheduler)
          .bootstrapRetry(retry).build()) {
        BootstrapResult result = oneCa.start();
        if (!oneCa.ca().fingerprint().equals(result.ca().fingerprint())) {
          throw new AssertionError("replica " + id + " uses a CA other than the one it bootstrapped");
        }
        return result.ca().fingerprint().sha256Hex();
      }
    };
  }

  /** Reads the fingerprint of the CA a store holds at a key, decoding the record as OneCA does. */
  Optional<String> storedFingerprint(VersionedStore reader, String caKey) {
    return reader.get(caKey).join()
        .map(v -> codec.decode(v, reader.backend()).active().fingerprint().sha256Hex());
  }

  static RetryPolicy patientRetry() {
    return new RetryPolicy(40, Duration.ofMillis(100), Duration.ofSeconds(2), 0.2);
  }

  void close() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }
}
