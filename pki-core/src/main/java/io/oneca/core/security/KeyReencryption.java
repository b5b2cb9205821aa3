package io.oneca.core.security;

import io.oneca.api.OneCaException;
import io.oneca.api.UnreadableRecordException;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.audit.AuditSink;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreKeys;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.internal.audit.Auditor;
import io.oneca.core.internal.audit.Slf4jAuditSink;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Re-encrypts the stored CA key under another key-encryption key (or encrypts a plaintext one for
 * the first time), with a compare-and-set from the version it read: if any replica changed the
 * record in between, nothing is written and the result says {@link Outcome#CONFLICT} (run it again).
 *
 * <p>The CA itself does not change (same certificate, same key, same trust bundle); only its
 * protection does. The record written is authenticated as a whole under the new key (schema 4), so
 * this is also the explicit way to authenticate a record written before whole-record
 * authentication: run it with the key the record is already under. Since such a record may have
 * been changed by whoever could write the store, check what it holds first ({@code oneca inspect}:
 * the trust bundle and the slots) and authenticate only what you recognize. A record that cannot be decrypted with the given keys is reported as
 * {@link io.oneca.api.CaKeyDecryptionException} and left untouched. Running replicas keep working:
 * configure them with the new key as {@code keyEncryptionKey} and the old one in
 * {@code previousKeyEncryptionKeys} before re-encrypting, and drop the old key afterwards.
 *
 * <pre>{@code
 * KeyReencryption.Result result = KeyReencryption.reencrypt(store, "oneca/ca",
 *     KeyEncryptionKeys.fromFile(Path.of("/etc/oneca/kek-2026.bin")),
 *     List.of(KeyEncryptionKeys.fromFile(Path.of("/etc/oneca/kek-2025.bin"))));
 * }</pre>
 */
public final class KeyReencryption {
  private KeyReencryption() {}

  /** What a re-encryption did. */
  public enum Outcome {
    /** The record was rewritten, encrypted and authenticated under the new key. */
    REENCRYPTED,
    /** The record was already encrypted and authenticated under the new key; nothing was written. */
    ALREADY_CURRENT,
    /** The record changed (or vanished) between the read and the compare-and-set; nothing was written. */
    CONFLICT,
    /** There is no record at the key; nothing was written. */
    ABSENT
  }

  /**
   * The result of a re-encryption.
   *
   * @param outcome what happened
   * @param fromKeyId the key-encryption key the record was read under, empty for plaintext or absent
   * @param toKeyId the key-encryption key the record is now (or was already) under
   * @param readVersion the version read, 0 when absent
   * @param writtenVersion the version written, 0 when nothing was written
   */
  public record Result(Outcome outcome, Optional<String> fromKeyId, String toKeyId, long readVersion, long writtenVersion) {
    /** Validates presence. */
    public Result {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(fromKeyId, "fromKeyId");
      Objects.requireNonNull(toKeyId, "toKeyId");
    }
  }

  /**
   * Re-encrypts with the default audit sink (the SLF4J logger {@code io.oneca.audit}).
   *
   * @see #reencrypt(VersionedStore, String, KeyEncryptionKey, List, AuditSink, String)
   */
  public static Result reencrypt(VersionedStore store, String caKey, KeyEncryptionKey newKey, List<KeyEncryptionKey> oldKeys) {
    return reencrypt(store, caKey, newKey, oldKeys, Slf4jAuditSink.instance(), "key-reencryption");
  }

  /**
   * Re-encrypts the CA key at {@code caKey} under {@code newKey}. Blocks until the store answers.
   *
   * @param store the store holding the CA record
   * @param caKey the store key of the CA record
   * @param newKey the key-encryption key to encrypt under
   * @param oldKeys the keys the record may currently be encrypted with; a plaintext record, and an
   *     encrypted record written before whole-record authentication, are always accepted here,
   *     since protecting them is the point
   * @param auditSink receives a {@link AuditEventType#CA_KEY_REENCRYPTED} event on success
   * @param actor who runs the re-encryption, recorded as the audit event's replica id
   * @return what happened
   * @throws io.oneca.api.CaKeyDecryptionException if the record cannot be decrypted with the keys
   * @throws UnreadableRecordException if the record is not a readable CA record
   * @throws io.oneca.api.StoreUnavailableException if the store is unavailable; if the write's
   *     outcome is unknown, run again: a record already under the new key reports
   *     {@link Outcome#ALREADY_CURRENT}
   */
  public static Result reencrypt(VersionedStore store, String caKey, KeyEncryptionKey newKey,
      List<KeyEncryptionKey> oldKeys, AuditSink auditSink, String actor) {
    Objects.requireNonNull(store, "store");
    StoreKeys.validateKey(caKey);
    Objects.requireNonNull(newKey, "newKey");
    Objects.requireNonNull(auditSink, "auditSink");
    Objects.requireNonNull(actor, "actor");
    List<KeyEncryptionKey> others = oldKeys.stream().filter(k -> !k.id().equals(newKey.id())).toList();
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(newKey, others, true));

    Optional<Versioned<byte[]>> read = await(store.get(caKey), caKey);
    if (read.isEmpty()) {
      return new Result(Outcome.ABSENT, Optional.empty(), newKey.id(), 0, 0);
    }
    Versioned<byte[]> current = read.get();
    Optional<String> fromKeyId = codec.keyEncryptionKeyId(current, store.backend());
    CaRecord record = codec.decode(current, store.backend());
    boolean wasAuthenticated = codec.authenticated(current, store.backend());
    if (fromKeyId.isPresent() && fromKeyId.get().equals(newKey.id()) && wasAuthenticated) {
      return new Result(Outcome.ALREADY_CURRENT, fromKeyId, newKey.id(), current.version(), 0);
    }
    byte[] value = codec.encode(record, caKey);
    try {
      CaRecord check = codec.decode(new Versioned<>(caKey, value, current.version()), store.backend());
      byte[] expected = record.active().privateKey().getEncoded();
      byte[] actual = check.active().privateKey().getEncoded();
      boolean same = Arrays.equals(expected, actual);
      Arrays.fill(expected, (byte) 0);
      Arrays.fill(actual, (byte) 0);
      if (!same) {
        throw new IllegalStateException("re-encrypted CA key does not decrypt to the same key; nothing was written");
      }
      CasResult written = await(store.compareAndSet(caKey, Precondition.atVersion(current.version()), value), caKey);
      if (!(written instanceof CasResult.Applied applied)) {
        return new Result(Outcome.CONFLICT, fromKeyId, newKey.id(), current.version(), 0);
      }
      long version = applied.value().version();
      Map<String, String> details = new LinkedHashMap<>();
      details.put("fromKeyId", fromKeyId.orElse("plaintext"));
      details.put("toKeyId", newKey.id());
      details.put("caFingerprint", record.active().fingerprint().sha256Hex());
      details.put("previousVersion", Long.toString(current.version()));
      details.put("wasAuthenticated", Boolean.toString(wasAuthenticated));
      new Auditor(auditSink, InstantSource.system(), actor, caKey)
          .record(AuditEventType.CA_KEY_REENCRYPTED, version, details);
      return new Result(Outcome.REENCRYPTED, fromKeyId, newKey.id(), current.version(), version);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private static <T> T await(CompletableFuture<T> future, String caKey) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OneCaException("interrupted while re-encrypting CA key '" + caKey + "'", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new OneCaException("re-encrypting CA key '" + caKey + "' failed: " + cause, cause);
    }
  }
}
