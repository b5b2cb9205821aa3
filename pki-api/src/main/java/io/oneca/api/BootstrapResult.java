package io.oneca.api;

import java.util.Objects;

/**
 * How a replica came to use its CA. Whatever the outcome, {@link #ca()} is the CA record the store
 * confirmed: a replica never uses a CA the store has not confirmed.
 *
 * @param outcome how the CA was obtained
 * @param ca the CA now in use, as read from or confirmed by the store
 * @param attempts how many read/write rounds it took (1 when the store answered at once)
 */
public record BootstrapResult(Outcome outcome, CaView ca, int attempts) {

  /** Validates the fields. */
  public BootstrapResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(ca, "ca");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
  }

  /** How a replica obtained its CA. */
  public enum Outcome {
    /** The store held no CA; this replica's newly generated CA won the create-if-absent. */
    CREATED,
    /** The store already held a CA when this replica first read it. */
    ADOPTED_EXISTING,
    /** Another replica created the CA concurrently; this replica discarded its own and adopted it. */
    ADOPTED_WINNER,
    /** The store held no CA; the bring-your-own CA given to this replica was stored. */
    IMPORTED,
    /**
     * A bring-your-own CA was given but the store already held a different CA. The stored CA is the
     * one in use (replicas never diverge); the given one was not stored. Operators who meant to
     * replace the CA must do so deliberately (rotation), not by import.
     */
    DIFFERENT_CA_STORED
  }
}
