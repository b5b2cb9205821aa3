package io.oneca.core.rotation;

import io.oneca.core.delivery.AckTracker;
import io.oneca.core.delivery.ActivationGate;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.GateDecision;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a due activation of a prepared CA may happen now: for example only once the
 * consumers of the trust bundle have acknowledged a bundle that holds the prepared CA. Consulted by
 * automatic rotation only; an explicit {@code activate()} or {@code force()} is the operator's call.
 *
 * <p>Every replica runs the rotation tick, so a condition that depends on what one replica knows
 * (its consumers, their acknowledgements) must share it with the others: the tick calls
 * {@link #record} whenever a CA is prepared and {@link #decide(ActivationContext)} when its
 * activation is due, both with the store at hand. The defaults keep nothing in the store and
 * delegate to {@link #decide(long, Instant)}.
 */
@FunctionalInterface
public interface ActivationCondition {

  /**
   * Decides from what this replica knows alone.
   *
   * @param preparedBundleVersion the first store version this replica saw holding the prepared CA;
   *     every bundle of this version or later holds it
   * @param preparedAt when the prepared CA was written
   * @return the decision; activation proceeds only when it is open
   */
  GateDecision decide(long preparedBundleVersion, Instant preparedAt);

  /**
   * Records in the store what this replica knows, for the decisions of every replica. Called by the
   * rotation tick whenever a CA is prepared, before it decides. Default: nothing.
   *
   * @param context the prepared CA and the store
   * @return completes when recorded; exceptionally if the store fails
   */
  default CompletableFuture<Void> record(ActivationContext context) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Decides for the rotation tick, which calls it when the prepared CA's activation is due. Default:
   * {@link #decide(long, Instant)}.
   *
   * @param context the prepared CA and the store
   * @return completes with the decision; exceptionally if the store fails (the tick then fails and
   *     the CA stays prepared)
   */
  default CompletableFuture<GateDecision> decide(ActivationContext context) {
    return CompletableFuture.completedFuture(decide(context.preparedBundleVersion(), context.preparedAt()));
  }

  /**
   * Gates activation on acknowledgements, across replicas: each replica records in the store, next
   * to the CA record (key {@code <caKey>.acks/<replica>}), the live subscribers of {@code item} on its
   * {@code hub} and which of them acknowledged (in {@code acks}) a bundle holding the prepared CA;
   * the gate decides from the union over all replicas, as {@code gate} requires (a share of the live
   * consumers, or its deadline). With no live consumer anywhere it waits for the deadline. A replica
   * writes its record only when what it holds changes (at most once per tick), and only while a CA is
   * prepared.
   *
   * <p>A replica that stops for good leaves its record: the consumers it lists stay live for the gate
   * until they acknowledge through another replica or the deadline passes (never earlier);
   * delete the key to forget them. An unreadable record holds the gate in the same way.
   *
   * @param gate the share and deadline
   * @param hub the hub this replica delivers the trust bundle through
   * @param item the hub item of the trust bundle
   * @param acks this replica's consumers' acknowledgements
   * @return the condition; one per replica (it remembers what it last wrote)
   */
  static ActivationCondition acknowledged(ActivationGate gate, DeliveryHub<?> hub, String item, AckTracker acks) {
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(acks, "acks");
    return new AcknowledgedActivation(gate, hub, item, acks);
  }
}
