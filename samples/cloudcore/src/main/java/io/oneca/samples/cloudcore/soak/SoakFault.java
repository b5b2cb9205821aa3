package io.oneca.samples.cloudcore.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** One kind of fault the soak driver injects. */
public enum SoakFault {
  /** An operator forces a CA rotation through the store (cross-signed successor, old CA still trusted). */
  ROTATE_CA("forced CA rotation"),
  /** A replica is SIGKILLed and started again under the same id and ports: new serving certificate. */
  KILL_REPLICA("replica SIGKILL + restart"),
  /** A replica is stopped cleanly and started again: its identity is renewed (new key and certificate). */
  RESTART_REPLICA("replica clean restart (identity renewed)"),
  /** The store server is stopped and started again with its data. */
  RESTART_STORE("store server restart"),
  /** Random edges' hub stream connections are closed under them. */
  DROP_CONNECTIONS("edge connection drops");

  private final String description;

  SoakFault(String description) {
    this.description = description;
  }

  /** Returns a short description for logs and the summary. */
  public String description() {
    return description;
  }

  /**
   * Returns one round of the schedule: every fault at least once (rotations and drops twice), in
   * an order drawn from {@code random}.
   *
   * @param random the schedule's random source
   * @return the round
   */
  static List<SoakFault> round(Random random) {
    List<SoakFault> round = new ArrayList<>(List.of(ROTATE_CA, ROTATE_CA, KILL_REPLICA, RESTART_REPLICA, RESTART_STORE,
        DROP_CONNECTIONS, DROP_CONNECTIONS));
    Collections.shuffle(round, random);
    return round;
  }
}
