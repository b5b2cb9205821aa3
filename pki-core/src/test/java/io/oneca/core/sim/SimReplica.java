package io.oneca.core.sim;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CaView;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.testkit.sim.SimClock;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated replica: a name, its own clock, and the current incarnation (a real {@link OneCa}
 * with a {@link ManagedIdentity} writing an output directory). A restart starts a new incarnation
 * on the same store; what is tracked per incarnation is reset.
 */
final class SimReplica {
  final String name;
  final SimClock clock;
  int incarnation;
  VersionedStore client;
  OneCa oneCa;
  CompletableFuture<BootstrapResult> start;
  boolean startHandled;
  boolean down;
  /** The last bootstrap gave up because the store could not be reached (by design: bounded retries). */
  boolean gaveUpUnreachable;
  ManagedIdentity identity;
  Path output;
  // Per incarnation: what the simulation saw it hold.
  CaView lastView;
  long maxVersion;
  long lastListenerVersion;
  int restoresSeen;
  boolean refusedByDesign;
  int restoresSeenByListener;

  SimReplica(String name, SimClock clock) {
    this.name = name;
    this.clock = clock;
  }

  /** Started, not closed, not given up: its CA and identity can be read. */
  boolean live() {
    return oneCa != null && !down && startHandled && start.isDone() && !start.isCompletedExceptionally();
  }

  void resetIncarnation() {
    lastView = null;
    maxVersion = 0;
    lastListenerVersion = 0;
    identity = null;
    startHandled = false;
    down = false;
    gaveUpUnreachable = false;
    refusedByDesign = false;
  }

  @Override
  public String toString() {
    return name + "." + incarnation;
  }
}
