package io.oneca.backend.etcd;

import io.etcd.jetcd.KeyValue;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import java.util.Arrays;
import java.util.Optional;

/**
 * Decides, from one linearizable re-read, what became of a write whose reply was lost. Pure, so
 * every rule is unit-tested.
 *
 * <p>The rules, for a write of value {@code W} under a precondition:
 * <ul>
 *   <li><b>Applied</b> only when the store holds exactly {@code W} in a state our write can have
 *       produced: for {@code atVersion(v)} the same incarnation of the key ({@code create_revision
 *       <= v}) at a newer revision ({@code mod_revision > v}); for {@code absent()} an incarnation
 *       never modified since it was created ({@code create_revision == mod_revision}). Equal bytes
 *       alone are not enough (ABA: someone may have written {@code W} later, or restored it).
 *   <li><b>Unknown</b> (empty) when the precondition still holds: the write may have failed, or may
 *       still be in etcd's log and be applied later, so nothing can be concluded.
 *   <li><b>Conflict</b> with the current value otherwise: the precondition no longer holds, so the
 *       write cannot be applied any more, and the store does not hold its value. (It may have been
 *       applied and then replaced; either way the caller must use what the store holds now.)
 * </ul>
 * A delete ({@code W == null}) is never reported applied from a re-read: it has no value to
 * recognise. If the key is no longer at the version, the result is a conflict with what is there
 * (empty when it is gone).
 */
final class WriteOutcomes {
  private WriteOutcomes() {}

  static Optional<CasResult> settle(String key, Precondition precondition, byte[] written, Optional<KeyValue> current) {
    if (precondition instanceof Precondition.AtVersion at) {
      long v = at.version();
      if (current.isPresent() && current.get().getModRevision() == v) {
        return Optional.empty();
      }
      if (written != null && current.isPresent()
          && current.get().getModRevision() > v
          && current.get().getCreateRevision() <= v
          && Arrays.equals(current.get().getValue().getBytes(), written)) {
        return Optional.of(new CasResult.Applied(EtcdStore.toVersioned(key, current.get())));
      }
      return Optional.of(new CasResult.Conflict(current.map(kv -> EtcdStore.toVersioned(key, kv))));
    }
    if (current.isEmpty()) {
      return Optional.empty();
    }
    KeyValue found = current.get();
    if (written != null
        && found.getCreateRevision() == found.getModRevision()
        && Arrays.equals(found.getValue().getBytes(), written)) {
      return Optional.of(new CasResult.Applied(EtcdStore.toVersioned(key, found)));
    }
    return Optional.of(new CasResult.Conflict(Optional.of(EtcdStore.toVersioned(key, found))));
  }
}
