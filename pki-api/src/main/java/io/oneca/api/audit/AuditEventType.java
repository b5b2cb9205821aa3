package io.oneca.api.audit;

/** What an {@link AuditEvent} records. New types may be added; sinks must accept unknown ones. */
public enum AuditEventType {
  /** This replica generated a CA and the store confirmed it (create-if-absent won). */
  CA_CREATED,
  /** This replica adopted the CA the store already held when it first read it. */
  CA_ADOPTED_EXISTING,
  /** This replica lost the create-if-absent race, discarded its CA and adopted the winner's. */
  CA_ADOPTED_WINNER,
  /** A bring-your-own CA was stored (create-if-absent won). */
  CA_IMPORTED,
  /** A bring-your-own CA was given, but the store holds a different CA, which stays in use. */
  CA_IMPORT_DIFFERENT_CA_STORED,
  /** Bootstrap failed: the store held an unusable record (left untouched) or stayed unavailable. */
  CA_BOOTSTRAP_FAILED,
  /** After start, this replica adopted a newer CA version it found in the store (memory follows the store). */
  CA_FOLLOWED,
  /** After start, the store held a newer CA version that cannot be used; the CA in use stays. */
  CA_VERSION_REJECTED,
  /**
   * After start, the store held a CA that does not continue this replica's CA (not the same, not its
   * prepared successor, not in its trust bundle, not cross-signed by it): refused, the CA in use
   * stays. Once per refused version.
   */
  CA_LINEAGE_REFUSED,
  /**
   * The store went backwards: a lower version than this replica held, or the same version with other
   * bytes (a restore from a backup, a reseeded counter). Once per regressed version.
   */
  CA_VERSION_REGRESSED,
  /** An operator reset the lineage evidence of a CA key, so that a new CA may be founded there. */
  CA_LINEAGE_RESET,
  /** The stored CA key was re-encrypted under another key-encryption key (or encrypted for the first time). */
  CA_KEY_REENCRYPTED,
  /** Rotation: a next CA was prepared next to the active one and added to the trust bundle. */
  CA_ROTATION_PREPARED,
  /** Rotation: the prepared CA became the active one. */
  CA_ROTATION_ACTIVATED,
  /** Rotation: a previous CA was retired from the trust bundle. */
  CA_ROTATION_RETIRED,
  /** A leaf certificate was issued. */
  CERTIFICATE_ISSUED,
  /** A certificate request was refused; the details say which field and why. */
  REQUEST_REJECTED
}
