package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.Versioned;
import io.oneca.testkit.MutableClock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays Kuma incident 2 step by step: a proxy disconnects, reconnects at once, and only then does
 * the control plane run the old connection's cleanup. The new connection must keep receiving
 * renewals. Cleanup is modelled as a queue of deferred tasks that the test runs late on purpose.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeliveryHubKumaReplayTest {
  private final ManualExecutor executor = new ManualExecutor();
  private final DeliveryHub<String> hub = DeliveryHub.create(executor);
  private final Deque<Runnable> deferredCleanups = new ArrayDeque<>();

  @Test
  void lateCleanupOfOldStream_afterFastReconnect_newStreamStillReceivesTheRenewal() {
    hub.publish("identity/edge-1", 1, "cert-v1");
    List<Versioned<String>> oldStream = new ArrayList<>();
    List<Versioned<String>> newStream = new ArrayList<>();

    DeliverySubscription first = hub.subscribe("edge-1", "identity/edge-1", oldStream::add);
    executor.runAll();
    assertThat(oldStream).extracting(Versioned::value).containsExactly("cert-v1");

    // The connection drops; the transport defers the watcher's cleanup (an async event handler).
    deferredCleanups.add(first::close);
    // Fast reconnect: the proxy opens a new stream before the cleanup ran.
    DeliverySubscription second = hub.subscribe("edge-1", "identity/edge-1", newStream::add);
    executor.runAll();
    assertThat(newStream).extracting(Versioned::value).containsExactly("cert-v1");

    // The old stream's delayed cleanup runs only now.
    deferredCleanups.removeFirst().run();
    assertThat(first.isClosed()).isTrue();
    assertThat(second.isClosed()).isFalse();
    assertThat(second.epoch()).isGreaterThan(first.epoch());

    // The renewal (or a CA rotation) arrives after the cleanup.
    hub.publish("identity/edge-1", 2, "cert-v2");
    executor.runAll();

    assertThat(newStream).extracting(Versioned::value).containsExactly("cert-v1", "cert-v2");
    assertThat(second.deliveredVersion()).isEqualTo(2);
    assertThat(oldStream).extracting(Versioned::value).containsExactly("cert-v1");
    assertThat(hub.liveConsumers("identity/edge-1")).containsExactly("edge-1");
    assertThat(hub.subscriptions("identity/edge-1")).containsExactly(second);
  }

  @Test
  void lateCleanupRacingWithAPendingDelivery_newStreamEndsOnTheLatestVersion() {
    hub.publish("trust-bundle", 1, "bundle-v1");
    List<Versioned<String>> newStream = new ArrayList<>();
    DeliverySubscription first = hub.subscribe("edge-1", "trust-bundle", v -> { });
    executor.runAll();
    deferredCleanups.add(first::close);

    DeliverySubscription second = hub.subscribe("edge-1", "trust-bundle", newStream::add);
    hub.publish("trust-bundle", 2, "bundle-v2");
    // Cleanup runs while deliveries to both streams are still queued.
    deferredCleanups.removeFirst().run();
    executor.runAll();
    hub.publish("trust-bundle", 3, "bundle-v3");
    executor.runAll();

    assertThat(newStream).extracting(Versioned::version).containsExactly(2L, 3L);
    assertThat(second.deliveredVersion()).isEqualTo(3);
    assertThat(first.deliveredVersion()).isEqualTo(1);
  }

  @Test
  void lateCleanupThenAcknowledgement_gateSeesTheReconnectedConsumerAsLiveAndAcknowledged() {
    AckTracker acks = AckTracker.create(MutableClock.at(Instant.EPOCH));
    hub.publish("trust-bundle", 1, "bundle-v1");
    DeliverySubscription first = hub.subscribe("edge-1", "trust-bundle", v -> acks.acknowledge("edge-1", v.version()));
    executor.runAll();
    deferredCleanups.add(first::close);
    hub.subscribe("edge-1", "trust-bundle", v -> acks.acknowledge("edge-1", v.version()));
    deferredCleanups.removeFirst().run();
    hub.publish("trust-bundle", 2, "bundle-v2-with-prepared-ca");
    executor.runAll();

    GateDecision decision = ActivationGate.builder()
        .clock(MutableClock.at(Instant.EPOCH))
        .build()
        .decide(2, Instant.EPOCH, hub.liveConsumers("trust-bundle"), acks.snapshot());
    assertThat(decision.reason()).isEqualTo(GateDecision.Reason.ALL_ACKNOWLEDGED);
    assertThat(decision.liveCount()).isEqualTo(1);
  }
}
