package io.oneca.core.rotation;

import java.util.Objects;

/**
 * What a rotation step did. Losing a race to another replica is not an error: its result is
 * {@link Outcome#ALREADY_DONE} and the status shows the state the winner wrote.
 *
 * @param step the step that was asked for, for example {@code prepare} or {@code tick}
 * @param outcome what happened
 * @param detail a readable explanation naming the CAs concerned
 * @param status the rotation state afterwards, as confirmed by the store
 */
public record TransitionResult(String step, Outcome outcome, String detail, RotationStatus status) {

  /** Validates presence. */
  public TransitionResult {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(status, "status");
  }

  /** Whether this replica's write changed the record. */
  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }

  /** What a step did. */
  public enum Outcome {
    /** This replica's compare-and-set wrote the new state. */
    APPLIED,
    /** Another replica made the same transition first; nothing more to do. */
    ALREADY_DONE,
    /** Nothing was due (automatic step) or there was nothing to change. */
    NOTHING_TO_DO,
    /** Activation is due but the activation condition (acknowledgements) holds it back. */
    GATE_CLOSED,
    /** A successor is due but only the offline root can sign it: run prepare with the root's key. */
    NEEDS_OFFLINE_ROOT
  }
}
