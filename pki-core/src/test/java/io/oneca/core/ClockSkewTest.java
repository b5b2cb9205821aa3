package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.OneCaException;
import io.oneca.core.health.HealthReport;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Clock skew between replicas (issue 20, item 3): tolerated up to a configured bound, named beyond it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClockSkewTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(InstantSource clock) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock)
        .resyncInterval(Duration.ofMinutes(10)).rotation(RotationPolicy.builder().automatic(false).build()).build();
    closeables.add(0, oneCa);
    return oneCa;
  }

  @Test
  void replicaTwoMinutesBehind_startsOnTheExistingCa() {
    replica(InstantSource.system()).start();
    MutableClock behind = MutableClock.at(Instant.now().minus(Duration.ofMinutes(2)));

    BootstrapResult result = replica(behind).start();

    assertThat(result.outcome()).isEqualTo(BootstrapResult.Outcome.ADOPTED_EXISTING);
  }

  @Test
  void replicaBehindByMoreThanTheTolerance_failsToStart_namingClockSkew() {
    replica(InstantSource.system()).start();
    MutableClock behind = MutableClock.at(Instant.now().minus(Duration.ofMinutes(10)));

    assertThatThrownBy(() -> replica(behind).start())
        .isInstanceOf(OneCaException.class)
        .hasMessageContaining("clock skew")
        .hasMessageContaining("oneca/ca");
  }

  @Test
  void preparedCaRejectedWhileBehind_isAdoptedOnceTheClockCatchesUp() throws Exception {
    OneCa a = replica(InstantSource.system());
    a.start();
    MutableClock clock = MutableClock.atSystemTime();
    OneCa b = replica(clock);
    b.start();

    clock.set(Instant.now().minus(Duration.ofMinutes(10)));
    a.rotation().prepare().get(10, TimeUnit.SECONDS);
    b.reload().get(10, TimeUnit.SECONDS);
    assertThat(b.rotation().status().prepared()).as("rejected while 10 minutes behind").isEmpty();
    HealthReport behind = b.health();
    assertThat(behind.describe()).contains("clock skew");

    clock.set(Instant.now());
    b.reload().get(10, TimeUnit.SECONDS);
    assertThat(b.rotation().status().prepared()).as("adopted once the clock is right")
        .map(slot -> slot.fingerprint()).isEqualTo(a.rotation().status().prepared().map(slot -> slot.fingerprint()));
  }
}
