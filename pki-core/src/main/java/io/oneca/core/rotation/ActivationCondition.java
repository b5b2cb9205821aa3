package io.oneca.core.rotation;

import io.oneca.core.delivery.AckTracker;
import io.oneca.core.delivery.ActivationGate;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.GateDecision;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides whether a due activation of a prepared CA may happen now: for example only once the
 * consumers of the trust bundle have acknowledged a bundle that holds the prepared CA. Consulted by
 * automatic rotation only; an explicit {@code activate()} or {@code force()} is the operator's call.
 */
@FunctionalInterface
public interface ActivationCondition {

  /**
   * Decides.
   *
   * @param preparedBundleVersion the first store version this replica saw holding the prepared CA;
   *     every bundle of this version or later holds it
   * @param preparedAt when the prepared CA was written
   * @return the decision; activation proceeds only when it is open
   */
  GateDecision decide(long preparedBundleVersion, Instant preparedAt);

  /**
   * Gates activation on acknowledgements: the live subscribers of {@code item} on {@code hub} must
   * have acknowledged (in {@code acks}) a bundle version that holds the prepared CA, as
   * {@code gate} requires (a share of them, or its deadline).
   *
   * @param gate the share and deadline
   * @param hub the hub the trust bundle is delivered through
   * @param item the hub item of the trust bundle
   * @param acks the consumers' acknowledgements
   * @return the condition
   */
  static ActivationCondition acknowledged(ActivationGate gate, DeliveryHub<?> hub, String item, AckTracker acks) {
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(acks, "acks");
    return (version, preparedAt) -> gate.decide(version, preparedAt, hub.liveConsumers(item), acks.snapshot());
  }
}
