package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ActivationGateTest {
  private static final Instant PREPARED = Instant.parse("2026-01-01T00:00:00Z");
  private final MutableClock clock = MutableClock.at(PREPARED);
  private final AckTracker acks = AckTracker.create(clock);

  @Test
  void gate_holdsUntilEveryLiveConsumerAcknowledged() {
    ActivationGate gate = ActivationGate.builder().clock(clock).maxWait(Duration.ofHours(1)).build();
    Set<String> live = Set.of("edge-1", "edge-2", "edge-3");
    acks.acknowledge("edge-1", 7);
    acks.acknowledge("edge-2", 6);

    GateDecision waiting = gate.decide(7, PREPARED, live, acks.snapshot());
    assertThat(waiting.open()).isFalse();
    assertThat(waiting.reason()).isEqualTo(GateDecision.Reason.WAITING);
    assertThat(waiting.laggingConsumers()).containsExactly("edge-2", "edge-3");
    assertThat(waiting.lagging().get(0).lastAcknowledgement()).get()
        .extracting(Acknowledgement::bundleVersion).isEqualTo(6L);
    assertThat(waiting.lagging().get(1).lastAcknowledgement()).isEmpty();
    assertThat(waiting.deadline()).isEqualTo(PREPARED.plus(Duration.ofHours(1)));

    clock.advance(Duration.ofMinutes(10));
    acks.acknowledge("edge-2", 7);
    assertThat(gate.decide(7, PREPARED, live, acks.snapshot()).open()).isFalse();
    acks.acknowledge("edge-3", 8);
    GateDecision open = gate.decide(7, PREPARED, live, acks.snapshot());
    assertThat(open.open()).isTrue();
    assertThat(open.reason()).isEqualTo(GateDecision.Reason.ALL_ACKNOWLEDGED);
    assertThat(open.lagging()).isEmpty();
    assertThat(open.decidedAt()).isEqualTo(PREPARED.plus(Duration.ofMinutes(10)));
  }

  @Test
  void gate_opensAtTheDeadline_andStillNamesTheLaggards() {
    ActivationGate gate = ActivationGate.builder().clock(clock).maxWait(Duration.ofHours(1)).build();
    Set<String> live = Set.of("edge-1", "edge-2");
    acks.acknowledge("edge-1", 3);

    clock.advance(Duration.ofMinutes(59));
    assertThat(gate.decide(3, PREPARED, live, acks.snapshot()).open()).isFalse();
    clock.advance(Duration.ofMinutes(1));
    GateDecision decision = gate.decide(3, PREPARED, live, acks.snapshot());
    assertThat(decision.open()).isTrue();
    assertThat(decision.reason()).isEqualTo(GateDecision.Reason.DEADLINE_PASSED);
    assertThat(decision.laggingConsumers()).containsExactly("edge-2");
  }

  @Test
  void gate_withShare_opensWhenTheShareIsReached() {
    ActivationGate gate = ActivationGate.builder().clock(clock).requiredShare(0.9).build();
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      live.add("edge-" + i);
    }
    for (int i = 0; i < 8; i++) {
      acks.acknowledge("edge-" + i, 2);
    }
    GateDecision eight = gate.decide(2, PREPARED, live, acks.snapshot());
    assertThat(eight.open()).isFalse();
    assertThat(eight.requiredCount()).isEqualTo(9);
    acks.acknowledge("edge-8", 2);
    GateDecision nine = gate.decide(2, PREPARED, live, acks.snapshot());
    assertThat(nine.reason()).isEqualTo(GateDecision.Reason.SHARE_REACHED);
    assertThat(nine.acknowledgedCount()).isEqualTo(9);
    assertThat(nine.laggingConsumers()).containsExactly("edge-9");
  }

  @Test
  void gate_ignoresAcknowledgementsOfConsumersThatAreNotLive() {
    ActivationGate gate = ActivationGate.builder().clock(clock).build();
    acks.acknowledge("gone", 5);
    GateDecision decision = gate.decide(5, PREPARED, Set.of("edge-1"), acks.snapshot());
    assertThat(decision.open()).isFalse();
    assertThat(decision.acknowledgedCount()).isZero();
    assertThat(decision.liveCount()).isEqualTo(1);
  }

  @Test
  void gate_noLiveConsumers_closedUntilTheDeadline() {
    ActivationGate gate = ActivationGate.builder().clock(clock).maxWait(Duration.ofHours(1)).build();
    clock.set(PREPARED.plus(Duration.ofHours(1)).minusMillis(1));
    GateDecision decision = gate.decide(1, PREPARED, Set.of(), acks.snapshot());
    assertThat(decision.reason()).isEqualTo(GateDecision.Reason.NO_LIVE_CONSUMERS);
    assertThat(decision.open()).isFalse();

    clock.set(PREPARED.plus(Duration.ofHours(1)));
    GateDecision atDeadline = gate.decide(1, PREPARED, Set.of(), acks.snapshot());
    assertThat(atDeadline.reason()).isEqualTo(GateDecision.Reason.DEADLINE_PASSED);
    assertThat(atDeadline.open()).isTrue();
  }

  @Test
  void ackTracker_neverMovesBackwards_andStampsWithTheClock() {
    assertThat(acks.acknowledge("edge-1", 4)).isTrue();
    clock.advance(Duration.ofSeconds(5));
    assertThat(acks.acknowledge("edge-1", 3)).isFalse();
    assertThat(acks.acknowledge("edge-1", 4)).isFalse();
    assertThat(acks.acknowledgement("edge-1")).get().isEqualTo(new Acknowledgement("edge-1", 4, PREPARED));
    assertThatThrownBy(() -> acks.acknowledge("edge-1", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_validatesEverySetting() {
    assertThatThrownBy(() -> ActivationGate.builder().requiredShare(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationGate.builder().requiredShare(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationGate.builder().requiredShare(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationGate.builder().maxWait(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationGate.builder().requiredShare(0.5).requiredShare(0.6))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    ActivationGate defaults = ActivationGate.builder().build();
    assertThat(defaults.requiredShare()).isEqualTo(1.0);
    assertThat(defaults.maxWait()).isEqualTo(Duration.ofHours(24));
  }
}
