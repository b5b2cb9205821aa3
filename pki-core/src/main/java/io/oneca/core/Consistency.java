package io.oneca.core;

import io.oneca.api.Fingerprint;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How this replica's in-memory CA compares with the store at one instant: the check behind the
 * readiness probe that catches a replica serving a CA the store no longer holds.
 *
 * @param status the comparison's outcome
 * @param memoryVersion the store version of the CA in memory
 * @param memoryFingerprint the fingerprint of the CA in memory
 * @param storeVersion the version found in the store, when a record was found
 * @param storeFingerprint the fingerprint of the stored CA, when it could be read
 * @param checkedAt when the store was read
 * @param detail a sentence for operators; names the key and, on failure, the cause
 */
public record Consistency(
    Status status,
    long memoryVersion,
    Fingerprint memoryFingerprint,
    OptionalLong storeVersion,
    Optional<Fingerprint> storeFingerprint,
    Instant checkedAt,
    String detail) {

  /** The outcome of comparing memory with the store. */
  public enum Status {
    /** The store holds the version and CA that are in memory. */
    CONSISTENT,
    /** The store holds a newer version; the follower will adopt it (or has rejected it, see detail). */
    MEMORY_BEHIND,
    /**
     * The store holds an older version than memory, or the same version with other content: the store
     * was restored or replaced. The next resync re-adopts it if its CA continues the line.
     */
    MEMORY_AHEAD,
    /**
     * The store holds a CA that does not continue the one in memory (not the same, its prepared
     * successor, in its trust bundle, or cross-signed by it): it is refused, memory keeps its CA.
     */
    FOREIGN_CA,
    /** The store holds no CA record at the key. */
    STORE_MISSING,
    /** The store holds a record that cannot be read; it is not overwritten. */
    STORE_UNREADABLE,
    /** The store could not be read. */
    STORE_UNAVAILABLE
  }

  /** Validates presence of every component. */
  public Consistency {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(memoryFingerprint, "memoryFingerprint");
    Objects.requireNonNull(storeVersion, "storeVersion");
    Objects.requireNonNull(storeFingerprint, "storeFingerprint");
    Objects.requireNonNull(checkedAt, "checkedAt");
    Objects.requireNonNull(detail, "detail");
  }

  /** Returns whether memory and store agree. */
  public boolean consistent() {
    return status == Status.CONSISTENT;
  }
}
