package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CaCacheTest {
  private static final String KEY = "oneca/ca";
  private final CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());
  private final CaCache cache = new CaCache(KEY, "test", codec, Providers.bouncyCastle(), InstantSource.system(),
      Duration.ofMinutes(5));

  /** The CAs of one line: every record's bundle holds all of them, so each continues the others. */
  private final CaMaterial lineA = StoredCas.newCa("CN=A", Duration.ofDays(10), Instant.now());
  private final CaMaterial lineB = StoredCas.newCa("CN=B", Duration.ofDays(10), Instant.now());

  private Versioned<byte[]> stored(long version, CaMaterial ca) {
    return new Versioned<>(KEY, codec.encode(new CaRecord(ca, List.of(ca.certificate(), lineA.certificate(),
        lineB.certificate()), Instant.now(), "t")), version);
  }

  private Versioned<byte[]> alone(long version, CaMaterial ca) {
    return new Versioned<>(KEY, codec.encode(new CaRecord(ca, List.of(ca.certificate()), Instant.now(), "t")),
        version);
  }

  @Test
  void offer_unrelatedCa_isRefused_atAnyVersion_andTheCurrentStays() {
    cache.offer(stored(2, lineA));
    CaMaterial foreign = StoredCas.newCa("CN=Foreign", Duration.ofDays(10), Instant.now());
    CaCache.Offer refused = cache.offer(alone(9, foreign));
    assertThat(refused.advance()).isEqualTo(CaCache.Advance.REFUSED);
    assertThat(refused.problem()).contains(foreign.fingerprint().sha256Hex()).contains(lineA.fingerprint().sha256Hex());
    assertThat(cache.offerRead(alone(1, foreign), cache.generation()).advance()).isEqualTo(CaCache.Advance.REFUSED);
    assertThat(cache.current().view().fingerprint()).isEqualTo(lineA.fingerprint());
    assertThat(cache.offerAdmitted(alone(10, foreign), CaCache.NO_BASIS).advance())
        .as("an operator admitted it").isEqualTo(CaCache.Advance.ADVANCED);
  }

  @Test
  void sameVersionOtherBytes_isNeverAnsweredFromTheParseCache_andARead_readoptsIt() {
    cache.offer(stored(5, lineA));
    Versioned<byte[]> other = stored(5, lineB);
    assertThat(cache.offer(other).advance()).as("an event cannot prove a regression").isEqualTo(CaCache.Advance.NOT_NEWER);
    CaCache.Offer read = cache.offerRead(other, cache.generation());
    assertThat(read.advance()).isEqualTo(CaCache.Advance.READOPTED);
    assertThat(read.regressed()).isTrue();
    assertThat(cache.current().view().fingerprint()).isEqualTo(lineB.fingerprint());
    assertThat(cache.current().generation()).isEqualTo(2);
  }

  @Test
  void lowerVersion_fromAReadThatRacedANewerAdoption_isNotARegression() {
    cache.offer(stored(5, lineA));
    long basis = cache.generation();
    cache.offer(stored(6, lineB));
    assertThat(cache.offerRead(stored(5, lineA), basis).advance()).isEqualTo(CaCache.Advance.NOT_NEWER);
    assertThat(cache.current().version()).isEqualTo(6);
  }

  @Test
  void notYetValidRejection_isNotCached_andClearsWhenTheClockCatchesUp() {
    io.oneca.testkit.MutableClock clock = io.oneca.testkit.MutableClock.atSystemTime();
    CaCache skewed = new CaCache(KEY, "test", codec, Providers.bouncyCastle(), clock, Duration.ofMinutes(1));
    skewed.offer(stored(1, lineA));
    clock.set(Instant.now().minus(Duration.ofMinutes(5)));
    CaCache.Offer behind = skewed.offer(stored(2, lineB));
    assertThat(behind.advance()).isEqualTo(CaCache.Advance.REJECTED);
    assertThat(behind.clockSkew()).isTrue();
    assertThat(behind.problem()).contains("clock skew");
    clock.set(Instant.now());
    assertThat(skewed.offer(stored(2, lineB)).advance()).isEqualTo(CaCache.Advance.ADVANCED);
  }

  @Test
  void offer_newerVersion_advances_andCountsGenerations() {
    CaMaterial a = lineA;
    CaMaterial b = lineB;
    assertThat(cache.offer(stored(3, a)).advance()).isEqualTo(CaCache.Advance.ADVANCED);
    CaCache.Offer second = cache.offer(stored(7, b));
    assertThat(second.advance()).isEqualTo(CaCache.Advance.ADVANCED);
    assertThat(second.state().version()).isEqualTo(7);
    assertThat(second.state().generation()).isEqualTo(2);
    assertThat(cache.current().view().fingerprint()).isEqualTo(b.fingerprint());
    assertThat(cache.current().view().storeVersion()).isEqualTo(7);
  }

  @Test
  void offer_olderOrSameVersion_fromEvents_neverGoesBack() {
    CaMaterial a = lineA;
    CaMaterial b = lineB;
    cache.offer(stored(7, b));
    assertThat(cache.offer(stored(5, a)).advance()).isEqualTo(CaCache.Advance.NOT_NEWER);
    assertThat(cache.offer(stored(7, a)).advance()).isEqualTo(CaCache.Advance.NOT_NEWER);
    assertThat(cache.current().view().fingerprint()).isEqualTo(b.fingerprint());
    assertThat(cache.current().version()).isEqualTo(7);
  }

  @Test
  void offer_unusableNewerVersion_isRejected_andTheCurrentStays() {
    CaMaterial a = StoredCas.newCa("CN=A", Duration.ofDays(10), Instant.now());
    cache.offer(stored(2, a));
    CaCache.Offer garbage = cache.offer(new Versioned<>(KEY, "junk".getBytes(StandardCharsets.US_ASCII), 9));
    assertThat(garbage.advance()).isEqualTo(CaCache.Advance.REJECTED);
    assertThat(garbage.problem()).contains("not a OneCA record");
    CaMaterial expired = StoredCas.newCa("CN=Old", Duration.ofDays(1), Instant.now().minus(Duration.ofDays(3)));
    CaCache.Offer old = cache.offer(alone(10, expired));
    assertThat(old.advance()).isEqualTo(CaCache.Advance.REJECTED);
    assertThat(old.problem()).contains("expired");
    assertThat(cache.current().version()).isEqualTo(2);
    assertThat(cache.current().view().fingerprint()).isEqualTo(a.fingerprint());
  }

  @Test
  void concurrentOffers_endOnTheNewestVersion() throws Exception {
    CaMaterial a = StoredCas.newCa("CN=A", Duration.ofDays(10), Instant.now());
    List<Versioned<byte[]>> versions = new java.util.ArrayList<>();
    for (long v = 1; v <= 40; v++) {
      versions.add(stored(v, a));
    }
    java.util.Collections.shuffle(versions, new java.util.Random(42));
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int start = t;
      Thread thread = new Thread(() -> {
        for (int i = start; i < versions.size(); i += 4) {
          cache.offer(versions.get(i));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    assertThat(cache.current().version()).isEqualTo(40);
  }
}
