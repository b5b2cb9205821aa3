package io.oneca.api;

import java.util.List;
import java.util.Objects;

/**
 * The store holds evidence that a CA existed at a key, but the CA record itself is gone: OneCA
 * refuses to found a new, unrelated CA there, because every peer that trusts the old CA would be
 * locked out. The record was deleted, or the store was partially restored.
 *
 * <p>Restore the record (from a backup) to continue; or, to start over on purpose, reset the lineage
 * naming the fingerprint this exception reports ({@code OneCa.resetLineage} in pki-core, or
 * {@code oneca lineage reset --expect-fingerprint}) and start again.
 */
public class CaLineageException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String backend;
  private final String key;
  private final List<String> fingerprints;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store
   * @param key the store key of the missing CA record
   * @param fingerprints SHA-256 fingerprints (lower-case hex) of the CAs the evidence names, first
   *     the one the line was founded with; at least one
   * @param detail what was found and what to do
   */
  public CaLineageException(String backend, String key, List<String> fingerprints, String detail) {
    super("CA key '" + Objects.requireNonNull(key, "key") + "' in " + Objects.requireNonNull(backend, "backend")
        + " held CA " + String.join(", ", fingerprints) + " before; " + Objects.requireNonNull(detail, "detail"));
    if (fingerprints.isEmpty()) {
      throw new IllegalArgumentException("fingerprints must name at least one CA");
    }
    this.backend = backend;
    this.key = key;
    this.fingerprints = List.copyOf(fingerprints);
  }

  /** Returns the short description of the store. */
  public String backend() {
    return backend;
  }

  /** Returns the store key of the missing CA record. */
  public String key() {
    return key;
  }

  /**
   * Returns the SHA-256 fingerprints (lower-case hex) of the CAs the store's evidence names, the
   * founding CA first; pass one of them to a lineage reset.
   */
  public List<String> fingerprints() {
    return fingerprints;
  }
}
