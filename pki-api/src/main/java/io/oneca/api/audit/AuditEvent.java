package io.oneca.api.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One security-relevant fact, as OneCA hands it to an {@link AuditSink}: immutable, and free of
 * secrets by construction (OneCA never puts private keys, key-encryption keys or tokens in
 * {@link #details()}).
 *
 * <p>Detail keys used by OneCA: {@code caFingerprint}, {@code outcome}, {@code serial} (hex),
 * {@code subject}, {@code subjectAltNames}, {@code requester}, {@code profile}, {@code notAfter},
 * {@code field}, {@code reason}, {@code fromKeyId}, {@code toKeyId}. More may be added.
 *
 * @param type what happened
 * @param time when, by the {@code OneCa}'s clock
 * @param replicaId the replica that observed it
 * @param storeKey the store key of the CA record concerned
 * @param storeVersion the store version concerned, or {@code 0} when none is known
 * @param details further facts, in insertion order; keys and values non-null
 */
public record AuditEvent(
    AuditEventType type, Instant time, String replicaId, String storeKey, long storeVersion,
    Map<String, String> details) {

  /** Validates the fields and copies the details, keeping their order. */
  public AuditEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(storeKey, "storeKey");
    if (storeVersion < 0) {
      throw new IllegalArgumentException("storeVersion must be 0 or more, was " + storeVersion);
    }
    Map<String, String> copy = new LinkedHashMap<>();
    details.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "detail key"), Objects.requireNonNull(v, k)));
    details = Collections.unmodifiableMap(copy);
  }
}
