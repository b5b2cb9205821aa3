package io.oneca.core;

import io.oneca.api.OneCaException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * This replica refuses to issue because it has not read the CA record from the store for longer than
 * {@link OneCaBuilder#maxStoreStaleness(Duration)} allows: while it could not read the store (a
 * network partition, an outage), the CA it holds may have been rotated away or forcibly distrusted,
 * and certificates it issued would then be refused by peers or, worse, extend a compromised CA.
 * Transient: issuance resumes with the first successful store read (the periodic resync, an event,
 * or {@link OneCa#reload()}). Managed identities keep serving their current certificate and retry.
 */
public final class CaStaleException extends OneCaException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long caVersion;
  private final transient Instant lastSuccessfulRead;
  private final transient Duration maxStaleness;

  /**
   * Creates the exception.
   *
   * @param backend short description of the store
   * @param key the store key of the CA record
   * @param caVersion the version of the CA this replica holds
   * @param lastSuccessfulRead when the store was last read successfully, or {@code null} if never
   * @param maxStaleness the configured limit
   * @param now the time of the refused request
   */
  public CaStaleException(String backend, String key, long caVersion, Instant lastSuccessfulRead,
      Duration maxStaleness, Instant now) {
    super("refusing to issue from CA version " + caVersion + " of key '" + Objects.requireNonNull(key, "key")
        + "': no successful read of " + Objects.requireNonNull(backend, "backend")
        + (lastSuccessfulRead == null ? " yet"
            : " since " + lastSuccessfulRead + " (" + Duration.between(lastSuccessfulRead, now).toSeconds()
                + " s ago)")
        + ", longer than maxStoreStaleness " + Objects.requireNonNull(maxStaleness, "maxStaleness")
        + "; the CA may have been rotated or distrusted meanwhile");
    this.key = key;
    this.caVersion = caVersion;
    this.lastSuccessfulRead = lastSuccessfulRead;
    this.maxStaleness = maxStaleness;
  }

  /** Returns the store key of the CA record. */
  public String key() {
    return key;
  }

  /** Returns the version of the CA this replica holds and refused to issue from. */
  public long caVersion() {
    return caVersion;
  }

  /** Returns when the store was last read successfully, if ever. */
  public Optional<Instant> lastSuccessfulRead() {
    return Optional.ofNullable(lastSuccessfulRead);
  }

  /** Returns the configured limit. */
  public Duration maxStaleness() {
    return maxStaleness;
  }
}
