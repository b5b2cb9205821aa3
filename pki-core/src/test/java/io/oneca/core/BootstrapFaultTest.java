package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.NamedEntries;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.FaultInjectingStore.Operation;
import io.oneca.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bootstrap against a store that fails, loses replies or holds records that cannot be used. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BootstrapFaultTest {
  private static final String KEY = "oneca/ca";
  private static final RetryPolicy FAST_RETRY = new RetryPolicy(1000, Duration.ofMillis(1), Duration.ofMillis(5), 0.2);

  private final InMemoryStore storage = InMemoryStore.create();
  private final FaultInjectingStore faulty = FaultInjectingStore.wrap(storage.newClient());
  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());

  @AfterEach
  void close() {
    faulty.close();
    storage.close();
  }

  @Test
  void writeAppliedButReplyLost_replicaReReadsAndUsesWhatTheStoreHolds() {
    faulty.loseReplyOfNextWrites(1);

    try (OneCa oneCa = OneCa.builder().store(faulty).allowPlaintextCaKey().bootstrapRetry(FAST_RETRY).build()) {
      BootstrapResult result = oneCa.start();

      Versioned<byte[]> stored = storage.get(KEY).join().orElseThrow();
      assertThat(result.outcome()).isEqualTo(Outcome.CREATED);
      assertThat(result.attempts()).isEqualTo(2);
      assertThat(oneCa.ca().fingerprint()).isEqualTo(fingerprintOf(stored));
      assertThat(oneCa.ca().storeVersion()).isEqualTo(stored.version());
      // The record once (never a second CA), then its lineage evidence.
      assertThat(faulty.calls(Operation.COMPARE_AND_SET)).isEqualTo(2);
      assertThat(storage.get(KEY + ".lineage").join()).isPresent();
    }
  }

  @Test
  void writeFailedWhileAnotherReplicaWon_adoptsTheWinnerNotItsCandidate() {
    // Our create fails (not applied); before our re-read, another replica's CA lands in the store.
    faulty.failNext(Operation.COMPARE_AND_SET, 1);
    RetryPolicy slowRetry = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofMillis(500), 0);
    CaRecord other = record(Instant.now());
    try (OneCa oneCa = OneCa.builder().store(faulty).allowPlaintextCaKey().bootstrapRetry(slowRetry).build()) {
      CompletableFuture<BootstrapResult> started = oneCa.startAsync();
      awaitCalls(Operation.COMPARE_AND_SET, 1);
      storage.compareAndSet(KEY, Precondition.absent(), codec.encode(other)).join();

      BootstrapResult result = started.join();

      assertThat(result.outcome()).isEqualTo(Outcome.ADOPTED_WINNER);
      assertThat(result.ca().fingerprint()).isEqualTo(other.active().fingerprint());
      assertThat(oneCa.ca().fingerprint()).isEqualTo(other.active().fingerprint());
    }
  }

  @Test
  void storeUnavailable_noCaIsUsedUntilTheStoreConfirmsOne() {
    faulty.setUnavailable(true);
    try (OneCa oneCa = OneCa.builder().store(faulty).allowPlaintextCaKey().bootstrapRetry(FAST_RETRY).build()) {
      CompletableFuture<BootstrapResult> started = oneCa.startAsync();
      awaitCalls(Operation.GET, 3);

      assertThat(started).isNotDone();
      assertThatThrownBy(oneCa::ca).isInstanceOf(IllegalStateException.class);
      assertThat(storage.get(KEY).join()).isEmpty();

      faulty.setUnavailable(false);
      BootstrapResult result = started.join();

      Versioned<byte[]> stored = storage.get(KEY).join().orElseThrow();
      assertThat(result.outcome()).isEqualTo(Outcome.CREATED);
      assertThat(result.attempts()).isGreaterThanOrEqualTo(3);
      assertThat(oneCa.ca().fingerprint()).isEqualTo(fingerprintOf(stored));
    }
  }

  @Test
  void slowStore_twoReplicasStillAgreeOnOneCa() {
    faulty.delayResponses(Duration.ofMillis(100));
    FaultInjectingStore slowToo = FaultInjectingStore.wrap(storage.newClient());
    slowToo.delayResponses(Duration.ofMillis(100));
    try (OneCa a = OneCa.builder().store(faulty).allowPlaintextCaKey().build();
        OneCa b = OneCa.builder().store(slowToo).allowPlaintextCaKey().build()) {
      CompletableFuture<BootstrapResult> startedA = a.startAsync();
      CompletableFuture<BootstrapResult> startedB = b.startAsync();

      BootstrapResult resultA = startedA.join();
      BootstrapResult resultB = startedB.join();

      Versioned<byte[]> stored = storage.get(KEY).join().orElseThrow();
      assertThat(resultA.ca().fingerprint()).isEqualTo(resultB.ca().fingerprint()).isEqualTo(fingerprintOf(stored));
      assertThat(List.of(resultA.outcome(), resultB.outcome())).containsOnlyOnce(Outcome.CREATED);
    } finally {
      slowToo.close();
    }
  }

  @Test
  void storeUnavailableForEveryAttempt_startFailsAndNothingIsStored() {
    faulty.setUnavailable(true);
    RetryPolicy threeAttempts = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2), 0);
    try (OneCa oneCa = OneCa.builder().store(faulty).allowPlaintextCaKey().bootstrapRetry(threeAttempts).build()) {
      assertThatThrownBy(oneCa::start)
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("gave up")
          .hasMessageContaining(KEY);
      assertThatThrownBy(oneCa::ca).isInstanceOf(IllegalStateException.class);
      assertThat(faulty.calls(Operation.GET)).isEqualTo(3);
      assertThat(storage.get(KEY).join()).isEmpty();
    }
  }

  @Test
  void garbageRecord_failsClosedAndIsNotOverwritten() {
    assertUnreadableAndUntouched("not a OneCA record".getBytes(StandardCharsets.UTF_8), "");
  }

  @Test
  void truncatedRecord_failsClosedAndIsNotOverwritten() {
    byte[] valid = codec.encode(record(Instant.now()));
    assertUnreadableAndUntouched(Arrays.copyOf(valid, valid.length / 2), "");
  }

  @Test
  void recordOfANewerSchema_failsClosedAndSaysToUpgrade() {
    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put("ca.crt", new byte[] {1});
    byte[] future = new NamedEntries(CaRecordCodec.KIND, CaRecordCodec.SCHEMA_VERSION + 1, entries).encode();
    assertUnreadableAndUntouched(future, "newer");
  }

  @Test
  void expiredCa_failsClosedAndIsNotOverwritten() {
    byte[] expired = codec.encode(record(Instant.now().minus(Duration.ofDays(3))));
    assertUnreadableAndUntouched(expired, "expired");
  }

  @Test
  void caKeyThatDoesNotMatchItsCertificate_failsClosed() {
    CaRecord a = record(Instant.now());
    CaRecord b = record(Instant.now());
    CaRecord mismatched = new CaRecord(
        new CaMaterial(a.active().chain(), b.active().privateKey(), a.active().keyAlgorithm()),
        a.trustBundle(), a.createdAt(), "test");
    assertUnreadableAndUntouched(codec.encode(mismatched), "key");
  }

  private void assertUnreadableAndUntouched(byte[] bytes, String messagePart) {
    CasResult written = storage.compareAndSet(KEY, Precondition.absent(), bytes).join();
    long version = ((CasResult.Applied) written).value().version();

    try (OneCa oneCa = OneCa.builder().store(faulty).allowPlaintextCaKey().bootstrapRetry(FAST_RETRY).build()) {
      assertThatThrownBy(oneCa::start)
          .isInstanceOf(UnreadableRecordException.class)
          .hasMessageContaining(KEY)
          .hasMessageContaining(messagePart);
      assertThatThrownBy(oneCa::ca).isInstanceOf(IllegalStateException.class);
    }

    Versioned<byte[]> after = storage.get(KEY).join().orElseThrow();
    assertThat(after.version()).isEqualTo(version);
    assertThat(after.value()).isEqualTo(bytes);
    assertThat(faulty.calls(Operation.COMPARE_AND_SET)).isZero();
  }

  private CaRecord record(Instant notBefore) {
    MutableClock clock = MutableClock.at(notBefore);
    CaMaterial material = new CaGenerator(Providers.bouncyCastle(), new SecureRandom())
        .generate(new CaSpec("CN=Test CA", io.oneca.api.KeyAlgorithm.EC_P256, Duration.ofDays(2), 0), clock.instant());
    return new CaRecord(material, List.of(material.certificate()), clock.instant(), "test");
  }

  private io.oneca.api.Fingerprint fingerprintOf(Versioned<byte[]> stored) {
    return codec.decode(stored, storage.backend()).active().fingerprint();
  }

  private void awaitCalls(Operation operation, int atLeast) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (faulty.calls(operation) < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected at least " + atLeast + " " + operation + " calls, saw " + faulty.calls(operation));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    }
  }
}
