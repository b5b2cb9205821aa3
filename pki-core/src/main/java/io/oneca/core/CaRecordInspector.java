package io.oneca.core;

import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.record.CaRecordPeek;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a CA record's certificates and metadata without its private key: no key-encryption key is
 * needed and the key is never decoded, so operators can inspect and compare what a store holds
 * from a machine that must not hold the CA. Read-only; never writes to the store.
 *
 * <p>It does not judge whether the CA is usable (expiry, key match): a replica does that when it
 * adopts the record.
 */
public final class CaRecordInspector {
  private CaRecordInspector() {}

  /**
   * Reads the record at {@code key} with a linearizable read.
   *
   * @param store the store
   * @param key the store key of the CA record
   * @param timeoutMillis the bound on the read
   * @return the record's public part, or empty if the store holds nothing at {@code key}
   * @throws UnreadableRecordException if the value is not a CA record this version can read
   * @throws StoreUnavailableException if the store cannot be read within the bound
   */
  public static Optional<CaRecordSummary> read(VersionedStore store, String key, long timeoutMillis) {
    Objects.requireNonNull(store, "store");
    StoreKeys.validateKey(key);
    Optional<Versioned<byte[]>> stored;
    try {
      stored = store.get(key).get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OneCaException("interrupted while reading CA key '" + key + "' from " + store.backend(), e);
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(store.backend(), key, false,
          "no answer within " + timeoutMillis + " ms", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof OneCaException oneCa) {
        throw oneCa;
      }
      throw new StoreUnavailableException(store.backend(), key, false, String.valueOf(cause.getMessage()), cause);
    }
    return stored.map(value -> summarize(value, store.backend()));
  }

  /**
   * Reads a value already fetched from a store.
   *
   * @param stored the value
   * @param backend a short description of the store, for messages
   * @return the record's public part
   * @throws UnreadableRecordException if the value is not a CA record this version can read
   */
  public static CaRecordSummary summarize(Versioned<byte[]> stored, String backend) {
    return CaRecordPeek.of(stored, backend);
  }
}
