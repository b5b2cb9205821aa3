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
  private final CaCache cache = new CaCache(KEY, "test", codec, Providers.bouncyCastle(), InstantSource.system());

  private Versioned<byte[]> stored(long version, CaMaterial ca) {
    return new Versioned<>(KEY, codec.encode(new CaRecord(ca, List.of(ca.certificate()), Instant.now(), "t")),
        version);
  }

  @Test
  void offer_newerVersion_advances_andCountsGenerations() {
    CaMaterial a = StoredCas.newCa("CN=A", Duration.ofDays(10), Instant.now());
    CaMaterial b = StoredCas.newCa("CN=B", Duration.ofDays(10), Instant.now());
    assertThat(cache.offer(stored(3, a)).advance()).isEqualTo(CaCache.Advance.ADVANCED);
    CaCache.Offer second = cache.offer(stored(7, b));
    assertThat(second.advance()).isEqualTo(CaCache.Advance.ADVANCED);
    assertThat(second.state().version()).isEqualTo(7);
    assertThat(second.state().generation()).isEqualTo(2);
    assertThat(cache.current().view().fingerprint()).isEqualTo(b.fingerprint());
    assertThat(cache.current().view().storeVersion()).isEqualTo(7);
  }

  @Test
  void offer_olderOrSameVersion_neverGoesBack() {
    CaMaterial a = StoredCas.newCa("CN=A", Duration.ofDays(10), Instant.now());
    CaMaterial b = StoredCas.newCa("CN=B", Duration.ofDays(10), Instant.now());
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
    CaCache.Offer old = cache.offer(stored(10, expired));
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
