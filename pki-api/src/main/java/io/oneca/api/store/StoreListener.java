package io.oneca.api.store;

import java.util.Optional;

/**
 * Receives the states of the keys a {@link Subscription} covers.
 *
 * <p>Delivery is level-triggered: the listener first receives the current state (for a single-key
 * subscription always exactly one call, possibly with an empty value; for a prefix one call per key
 * present), then newer states. For each key the versions it sees only increase; intermediate
 * versions may be skipped (a slow listener gets the newest pending state, not every one), and a
 * state is never delivered twice in a row. Calls for one subscription never overlap and run on the
 * executor given to {@link VersionedStore#subscribe}, never on a backend's I/O thread.
 */
@FunctionalInterface
public interface StoreListener {

  /**
   * Called with a key's newer state.
   *
   * @param key the key that changed
   * @param state the key's value and version, or empty if the key no longer exists
   */
  void onState(String key, Optional<Versioned<byte[]>> state);
}
