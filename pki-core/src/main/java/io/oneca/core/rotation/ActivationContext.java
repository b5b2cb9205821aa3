package io.oneca.core.rotation;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.VersionedStore;
import java.time.Instant;
import java.util.Objects;

/**
 * What the rotation tick tells an {@link ActivationCondition} about the prepared CA and the replica
 * asking, so that a condition can share state with the other replicas through the store.
 *
 * @param store the store that holds the CA record
 * @param caKey the store key of the CA record
 * @param replicaId the id of the replica that runs the tick
 * @param prepared the prepared CA's fingerprint
 * @param preparedBundleVersion the first store version this replica saw holding the prepared CA
 * @param preparedAt when the prepared CA was written
 * @param due whether its activation is due now (the condition is asked to decide only then)
 */
public record ActivationContext(
    VersionedStore store,
    String caKey,
    String replicaId,
    Fingerprint prepared,
    long preparedBundleVersion,
    Instant preparedAt,
    boolean due) {

  /** Validates the fields. */
  public ActivationContext {
    Objects.requireNonNull(store, "store");
    StoreKeys.validateKey(caKey);
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(prepared, "prepared");
    Objects.requireNonNull(preparedAt, "preparedAt");
    if (preparedBundleVersion <= 0) {
      throw new IllegalArgumentException("preparedBundleVersion must be positive, was " + preparedBundleVersion);
    }
  }
}
