package io.oneca.backend.etcd;

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

/** OneCA replicas on etcd for the race and fault tests: each with its own EtcdStore (own jetcd client). */
final class EtcdReplicas implements AutoCloseable {
  /** One key-encryption key shared by every replica of a test, as a deployment would share one. */
  static final io.oneca.api.security.KeyEncryptionKey KEK =
      io.oneca.core.security.KeyEncryptionKeys.ofBytes(randomKey());

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return key;
  }
  private final List<String> endpoints;
  private final RetryPolicy retry;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(),
      io.oneca.core.internal.record.CaKeyProtection.encrypted(KEK, java.util.List.of(), false));
  private final java.util.concurrent.atomic.LongAdder retried = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder slow = new java.util.concurrent.atomic.LongAdder();
  /** Far above an undisturbed bootstrap on loopback (tens of ms), below a leader election (about 1 s or more). */
  private static final long SLOW_BOOTSTRAP_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);

  private final Duration requestTimeout;

  EtcdReplicas(List<String> endpoints, RetryPolicy retry) {
    this(endpoints, retry, Duration.ofSeconds(2));
  }

  EtcdReplicas(List<String> endpoints, RetryPolicy retry, Duration requestTimeout) {
    this.endpoints = endpoints;
    this.retry = retry;
    this.requestTimeout = requestTimeout;
  }

  synchronized EtcdStore client() {
    return client(requestTimeout);
  }

  /** A client for the harness's own reads, with a timeout long enough to outlast a leader election. */
  synchronized EtcdStore patientClient() {
    return client(Duration.ofSeconds(10));
  }

  private EtcdStore client(Duration timeout) {
    EtcdStore store = EtcdStore.builder()
        .endpoints(endpoints)
        .requestTimeout(timeout)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    toClose.add(store);
    return store;
  }

  synchronized ScheduledExecutorService scheduler() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    toClose.add(scheduler::shutdownNow);
    return scheduler;
  }

  OneCa oneCa(VersionedStore store, String caKey, String id, ScheduledExecutorService scheduler) {
    return OneCa.builder().keyEncryptionKey(KEK).store(store).caKey(caKey).replicaId(id).scheduler(scheduler).bootstrapRetry(retry).build();
  }

  /** A replica for {@link ReplicaRace}: bootstraps and returns the fingerprint of the CA it then uses. */
  ReplicaRace.Replica replica(int index) {
    EtcdStore store = client();
    ScheduledExecutorService scheduler = scheduler();
    return caKey -> {
      try (OneCa oneCa = oneCa(store, caKey, "replica-" + index, scheduler)) {
        long started = System.nanoTime();
        BootstrapResult result = oneCa.start();
        if (result.attempts() > 1) {
          retried.increment();
        } else if (System.nanoTime() - started > SLOW_BOOTSTRAP_NANOS) {
          slow.increment();
        }
        if (!oneCa.ca().fingerprint().equals(result.ca().fingerprint())) {
          throw new AssertionError("replica " + index + " uses a CA other than its bootstrap result");
        }
        return result.ca().fingerprint().sha256Hex();
      }
    };
  }

  /** Reads the stored CA's fingerprint; a read that fails as unavailable is repeated, at most 5 times. */
  Optional<String> storedFingerprint(VersionedStore reader, String caKey) {
    for (int attempt = 1; ; attempt++) {
      try {
        return reader.get(caKey).join().map(v -> codec.decode(v, reader.backend()).active().fingerprint().sha256Hex());
      } catch (java.util.concurrent.CompletionException e) {
        if (!(e.getCause() instanceof io.oneca.api.StoreUnavailableException) || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Returns how many bootstraps needed more than one attempt (the store failed them at least once). */
  long retriedBootstraps() {
    return retried.sum();
  }

  /**
   * Returns how many bootstraps the store disturbed: retried at least once, or held up for more than
   * 500 ms (jetcd retries reads itself, so a read caught by a leader election shows as a stall).
   */
  long disturbedBootstraps() {
    return retried.sum() + slow.sum();
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable closeable : toClose) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + closeable + " failed", e);
      }
    }
    toClose.clear();
  }
}
