package io.oneca.core.sim;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one simulation run checks and injects. Every invariant and every fault family is a switch;
 * {@link #IN_SUITE} is the one list of what {@code mvn verify} runs on the code it is built with.
 *
 * @param name a short name for reports
 * @param invariants the invariants checked
 * @param faults the fault families (and operations) the seed may choose
 */
record SimConfig(String name, Set<Invariant> invariants, Set<Fault> faults) {

  /** What is checked. */
  enum Invariant {
    /** A replica's CA (fingerprint at its store version) is one the store held at that version. */
    CONFIRMED_CA,
    /** Within one replica incarnation the store version held never goes down. */
    MONOTONIC_VERSION,
    /** onCaChange sees strictly increasing versions. */
    LISTENER_ORDER,
    /** onCaChange runs on OneCA's scheduler (executor lane), never on a store I/O completion. */
    LISTENER_THREAD,
    /**
     * The active CA only moves to the same CA, a CA in the replica's trust bundle (the prepared
     * successor is there), one cross-signed by it, or away from a CA an operator forced away from; a
     * bootstrap never founds a new CA where the store held one before.
     */
    LINEAGE,
    /** A (re)started replica starts when the store holds a valid OneCA record (clock skew included). */
    START,
    /** After faults stop, every replica's memory equals the store within the bound. */
    CONVERGENCE,
    /** After faults stop, every identity's trust manager holds exactly the store's trust bundle. */
    TRUST_CONVERGENCE,
    /** After faults stop, ca.crt equals the store's bundle and tls.crt is signed by the store's active CA. */
    FILES_CONVERGENCE,
    /** After convergence, every served leaf chains to a CA in every live peer's trust manager. */
    LEAF_CHAINS,
    /**
     * A replica cut off from the store for longer than {@link Simulation#STALENESS} does not issue
     * from a CA the store no longer trusts (force-distrusted meanwhile).
     */
    STALE_ISSUANCE
  }

  /** What a seed may do; operations that are not faults (rotation, issuance) are switches too. */
  enum Fault {
    /** Operations fail unavailable, or are applied and their reply lost. */
    STORE_ERRORS,
    /** Replies and deliveries delayed (deliveries reordered, duplicated: within the contract). */
    DELAYS,
    /** A replica cut off from the store, later healed. */
    PARTITION,
    /** An operator deletes the CA record. */
    DELETE_RECORD,
    /** The store restored from an earlier snapshot: versions go backwards and get reused. */
    RESTORE,
    /** A replica's clock runs ahead or behind by up to three minutes. */
    CLOCK_SKEW,
    /** A replica's clock is stepped forwards or backwards. */
    CLOCK_JUMP,
    /** A replica closes and a new OneCa starts in its place on the same store. */
    RESTART,
    /** An operator forces a rotation (sometimes distrusting the old CA). */
    FORCED_ROTATION,
    /** Short-lived CAs that rotate on schedule, and explicit prepare/activate requests. */
    SCHEDULED_ROTATION,
    /** Replicas issue leaves on request. */
    ISSUANCE,
    /** The store backend itself is buggy: stale states after newer ones, dropped deliveries. */
    BUGGY_BACKEND
  }

  /**
   * THE switchboard: what {@code mvn verify} runs against the code it is built with. Each profile
   * runs an equal share of the seeds. With the issue-20 fixes merged every invariant holds under
   * every fault family in hunts of 1,000 seeds, except one combination, which is therefore off:
   *
   * <ul>
   *   <li>LINEAGE with RESTORE: seed 1160 (30 steps) of {@code -Dsim.hunt=true -Dsim.seeds=1500}: the
   *       whole store is restored to before a distrusting forced rotation CA1 -> CA2 that also dropped
   *       a prepared CA3; a replica still on CA2 then adopts CA3 when another activates it, because
   *       the restored evidence admits CA3. The simulation's rule (descends from the held CA in the
   *       store's history) says no; whether a restore may re-open the line it rolled back is a
   *       decision not yet made. (Seed 397, a distrusted CA coming back through a cross-certificate
   *       issued by a CA still retired in the bundle, is fixed.)
   * </ul>
   *
   * "steady" runs every invariant under every fault family but RESTORE; "hostile" runs every fault
   * family, RESTORE included, under every invariant but LINEAGE. The invariants themselves allow
   * what OneCA documents: a lower or reused version only after the store was restored; a replica
   * that loudly refuses (health DOWN, ca-lineage) a store CA it cannot prove continues its line, or
   * one minted beyond the clock-skew tolerance (naming clock skew), is exempt from convergence.
   * Keep the list honest: run {@code -Dsim.hunt=true -Dsim.seeds=2000} after a change; a combination
   * that fails stays off, named here with its seed.
   */
  static final List<SimConfig> IN_SUITE = List.of(
      new SimConfig("steady", EnumSet.allOf(Invariant.class), EnumSet.complementOf(EnumSet.of(Fault.RESTORE))),
      new SimConfig("hostile", EnumSet.complementOf(EnumSet.of(Invariant.LINEAGE)), EnumSet.allOf(Fault.class)));

  /** Everything on: what {@code -Dsim.hunt=true} runs, to find what still fails. */
  static final SimConfig ALL = new SimConfig("all", EnumSet.allOf(Invariant.class), EnumSet.allOf(Fault.class));

  SimConfig {
    invariants = invariants.isEmpty() ? EnumSet.noneOf(Invariant.class) : EnumSet.copyOf(invariants);
    faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
  }

  boolean checks(Invariant invariant) {
    return invariants.contains(invariant);
  }

  boolean injects(Fault fault) {
    return faults.contains(fault);
  }

  /** The system properties that select exactly this configuration (for the replay command). */
  String asProperties() {
    return "-Dsim.invariants=" + join(invariants) + " -Dsim.faults=" + join(faults);
  }

  /**
   * The configuration named by {@code -Dsim.invariants} and {@code -Dsim.faults} (comma lists,
   * {@code ALL} or {@code NONE}), or {@code null} if neither is set.
   */
  static SimConfig fromSystemProperties() {
    String invariants = System.getProperty("sim.invariants");
    String faults = System.getProperty("sim.faults");
    if (invariants == null && faults == null) {
      return null;
    }
    return new SimConfig("custom", parse(Invariant.class, invariants), parse(Fault.class, faults));
  }

  private static <E extends Enum<E>> Set<E> parse(Class<E> type, String list) {
    if (list == null || list.isBlank() || list.equalsIgnoreCase("ALL")) {
      return EnumSet.allOf(type);
    }
    if (list.equalsIgnoreCase("NONE")) {
      return EnumSet.noneOf(type);
    }
    Set<E> result = EnumSet.noneOf(type);
    for (String name : list.split(",")) {
      result.add(Enum.valueOf(type, name.trim().toUpperCase(Locale.ROOT)));
    }
    return result;
  }

  private static String join(Set<? extends Enum<?>> values) {
    return values.isEmpty() ? "NONE" : values.stream().map(Enum::name).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return name + Arrays.asList(invariants, faults);
  }
}
