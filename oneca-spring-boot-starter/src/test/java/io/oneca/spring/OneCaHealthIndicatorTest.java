package io.oneca.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.Precondition;
import io.oneca.core.OneCa;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.store.InMemoryStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** The indicator reports what OneCa.health() says: status mapping, checks and the CA in use. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaHealthIndicatorTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey()
      .resyncInterval(Duration.ofMillis(50)).build();

  @AfterEach
  void close() {
    oneCa.close();
    store.close();
  }

  @Test
  void statusMapping_coversEveryOneCaStatus() {
    assertThat(OneCaHealthIndicator.status(HealthStatus.UP)).isEqualTo(Status.UP);
    assertThat(OneCaHealthIndicator.status(HealthStatus.DEGRADED).getCode()).isEqualTo("DEGRADED");
    assertThat(OneCaHealthIndicator.status(HealthStatus.DOWN)).isEqualTo(Status.DOWN);
  }

  @Test
  void started_isUpWithTheCaAndEveryCheck() {
    oneCa.start();
    Health health = new OneCaHealthIndicator(oneCa).health();
    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("caFingerprint", oneCa.ca().fingerprint().sha256Hex())
        .containsEntry("caVersion", oneCa.ca().storeVersion())
        .containsEntry("replicaId", oneCa.replicaId());
    @SuppressWarnings("unchecked")
    Map<String, Map<String, String>> checks = (Map<String, Map<String, String>>) health.getDetails().get("checks");
    assertThat(checks.keySet()).containsExactlyElementsOf(
        oneCa.health().checks().stream().map(check -> check.name()).toList());
    assertThat(checks.get("ca-consistency")).containsEntry("status", "UP");
  }

  @Test
  void recordDeletedFromTheStore_isDegraded() throws Exception {
    oneCa.start();
    long version = store.get("oneca/ca").get().orElseThrow().version();
    store.delete("oneca/ca", Precondition.atVersion(version)).get();
    OneCaHealthIndicator indicator = new OneCaHealthIndicator(oneCa);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Health health = indicator.health();
    while (!health.getStatus().getCode().equals("DEGRADED") && System.nanoTime() < deadline) {
      oneCa.reload().exceptionally(error -> null).get(5, TimeUnit.SECONDS);
      health = indicator.health();
    }
    assertThat(health.getStatus().getCode()).isEqualTo(OneCaHealthIndicator.DEGRADED_CODE);
    assertThat(health.getStatus().getCode()).isEqualTo(oneCa.health().status().name());
    @SuppressWarnings("unchecked")
    Map<String, Map<String, String>> checks = (Map<String, Map<String, String>>) health.getDetails().get("checks");
    assertThat(checks.get("ca-consistency")).containsEntry("status", "DEGRADED");
    assertThat(checks.get("ca-consistency").get("detail")).contains("no CA record");
  }

  @Test
  void closed_isDown() {
    oneCa.start();
    oneCa.close();
    Health health = new OneCaHealthIndicator(oneCa).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).doesNotContainKey("caFingerprint");
  }
}
