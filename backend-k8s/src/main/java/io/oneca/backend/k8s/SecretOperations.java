package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The blocking half of the store: each method is one store operation as a short sequence of API
 * calls. Every write is conditional on the {@code resourceVersion} read just before it; a 409 is a
 * lost race and becomes a {@link CasResult.Conflict} with a fresh read; a failure that leaves the
 * outcome open is settled by a re-read or reported with {@code writeOutcomeUnknown=true}. Nothing
 * is retried blindly.
 */
final class SecretOperations {
  private final String backend;
  private final SecretNames names;
  private final SecretCodec codec;
  private final VersionCounter counter;
  private final NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets;
  private final VersionFloor floor;

  SecretOperations(String backend, SecretNames names, NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets,
      VersionFloor floor) {
    this.backend = backend;
    this.names = names;
    this.secrets = secrets;
    this.floor = floor;
    this.codec = new SecretCodec(backend, names);
    this.counter = new VersionCounter(backend, names, secrets, floor);
  }

  SecretCodec codec() {
    return codec;
  }

  /** Reads the raw Secret of a key; {@code null} if absent. */
  Secret read(String key) {
    try {
      return secrets.withName(names.nameOf(key)).get();
    } catch (KubernetesClientException e) {
      throw ApiErrors.toStoreException(backend, key, false, "GET of Secret " + names.nameOf(key), e);
    }
  }

  Optional<Versioned<byte[]>> get(String key) {
    return decode(key, read(key));
  }

  CasResult compareAndSet(String key, Precondition precondition, byte[] value) {
    Secret current = read(key);
    Optional<Versioned<byte[]>> currentValue = decode(key, current);
    boolean holds = precondition instanceof Precondition.AtVersion at
        ? currentValue.isPresent() && currentValue.get().version() == at.version()
        : currentValue.isEmpty();
    if (!holds) {
      return new CasResult.Conflict(copy(currentValue));
    }
    long version = counter.next(key, currentValue.map(Versioned::version).orElse(0L));
    Secret desired = codec.encode(key, value, version,
        current == null ? null : current.getMetadata().getResourceVersion(),
        current == null ? null : current.getType());
    try {
      if (current == null) {
        secrets.resource(desired).create();
      } else {
        secrets.resource(desired).update();
      }
      return new CasResult.Applied(new Versioned<>(key, value.clone(), version));
    } catch (KubernetesClientException e) {
      String operation = (current == null ? "create" : "update") + " of Secret " + desired.getMetadata().getName()
          + " (version " + version + ")";
      if (ApiErrors.isConflict(e)) {
        return new CasResult.Conflict(copy(get(key)));
      }
      if (!ApiErrors.outcomeUnknown(e)) {
        throw ApiErrors.toStoreException(backend, key, false, operation, e);
      }
      return settleWrite(key, value, version, current, operation, e);
    }
  }

  /**
   * After a write with an unknown outcome: if the key now holds our version and bytes, the write
   * was applied; if a replaced Secret has moved on to someone else's state, ours can never apply
   * (its resourceVersion precondition is gone for good); anything else stays unknown.
   */
  private CasResult settleWrite(String key, byte[] value, long version, Secret replaced, String operation, Throwable error) {
    Secret now;
    try {
      now = secrets.withName(names.nameOf(key)).get();
    } catch (KubernetesClientException reReadFailed) {
      error.addSuppressed(reReadFailed);
      throw ApiErrors.toStoreException(backend, key, true, operation + "; the re-read failed too", error);
    }
    Optional<Versioned<byte[]>> seen = decode(key, now);
    if (seen.isPresent() && seen.get().version() == version && Arrays.equals(seen.get().value(), value)) {
      return new CasResult.Applied(new Versioned<>(key, value.clone(), version));
    }
    if (replaced != null && now != null && !Objects.equals(
        now.getMetadata().getResourceVersion(), replaced.getMetadata().getResourceVersion())) {
      return new CasResult.Conflict(copy(seen));
    }
    throw ApiErrors.toStoreException(backend, key, true,
        operation + "; a re-read shows " + (seen.isPresent() ? "version " + seen.get().version() : "no value")
            + ", which does not settle it", error);
  }

  CasResult delete(String key, Precondition.AtVersion precondition) {
    Secret current = read(key);
    Optional<Versioned<byte[]>> currentValue = decode(key, current);
    if (currentValue.isEmpty() || currentValue.get().version() != precondition.version()) {
      return new CasResult.Conflict(copy(currentValue));
    }
    String name = current.getMetadata().getName();
    String resourceVersion = current.getMetadata().getResourceVersion();
    String operation = "delete of Secret " + name + " (version " + precondition.version() + ")";
    try {
      // kube-apiserver enforces the resourceVersion precondition (409 if it moved on).
      var deleted = secrets.withName(name).lockResourceVersion(resourceVersion).delete();
      if (deleted.isEmpty()) {
        return new CasResult.Conflict(copy(get(key))); // gone already: someone else deleted it
      }
      return new CasResult.Applied(currentValue.get());
    } catch (KubernetesClientException e) {
      if (ApiErrors.isConflict(e) || ApiErrors.isNotFound(e)) {
        return new CasResult.Conflict(copy(get(key)));
      }
      if (!ApiErrors.outcomeUnknown(e)) {
        throw ApiErrors.toStoreException(backend, key, false, operation, e);
      }
      Secret now;
      try {
        now = secrets.withName(name).get();
      } catch (KubernetesClientException reReadFailed) {
        e.addSuppressed(reReadFailed);
        throw ApiErrors.toStoreException(backend, key, true, operation + "; the re-read failed too", e);
      }
      if (now != null && !resourceVersion.equals(now.getMetadata().getResourceVersion())) {
        return new CasResult.Conflict(copy(decode(key, now)));
      }
      throw ApiErrors.toStoreException(backend, key, true,
          operation + "; a re-read shows " + (now == null ? "no Secret (ours or another deletion)" : "it unchanged"), e);
    }
  }

  /**
   * Gives a Secret that was re-created with a version not above one already seen (a backup or
   * manifest of an old state applied by hand) a fresh version, conditionally on its
   * resourceVersion, so that subscribers, which never go back to an older version, receive it.
   * The new version is above {@code newestSeen} (the newest version seen for the key, or by the
   * store), not only above the Secret's own version: after the counter was reseeded from the
   * records that still exist, the Secret's own version is no floor at all. Returns whether this
   * call raised it; losing to another writer is fine.
   */
  boolean raiseVersion(String key, Secret seen, long newestSeen) {
    Versioned<byte[]> value = codec.decode(key, seen);
    long version = counter.next(key, Math.max(value.version(), newestSeen));
    Secret desired = codec.encode(key, value.value(), version, seen.getMetadata().getResourceVersion(), seen.getType());
    try {
      secrets.resource(desired).update();
      return true;
    } catch (KubernetesClientException e) {
      if (ApiErrors.isConflict(e) || ApiErrors.isNotFound(e)) {
        return false;
      }
      throw ApiErrors.toStoreException(backend, key, ApiErrors.outcomeUnknown(e),
          "raising the version of re-created Secret " + desired.getMetadata().getName() + " to " + version, e);
    }
  }

  List<Versioned<byte[]>> list(String prefix) {
    List<Secret> items;
    try {
      items = secrets.withLabel(SecretCodec.MANAGED_BY_LABEL, SecretCodec.MANAGED_BY).list().getItems();
    } catch (KubernetesClientException e) {
      throw ApiErrors.toStoreException(backend, null, false, "LIST of Secrets for prefix '" + prefix + "'", e);
    }
    List<Versioned<byte[]>> values = new ArrayList<>();
    for (Secret secret : items) {
      String key = codec.claimedKey(secret);
      if (key != null && key.startsWith(prefix)) {
        Versioned<byte[]> value = codec.decode(key, secret);
        floor.observe(value.version());
        values.add(value);
      }
    }
    values.sort(Comparator.comparing(Versioned::key));
    return values;
  }

  private Optional<Versioned<byte[]>> decode(String key, Secret secret) {
    if (secret == null) {
      return Optional.empty();
    }
    Versioned<byte[]> value = codec.decode(key, secret);
    floor.observe(value.version());
    return Optional.of(value);
  }

  private static Optional<Versioned<byte[]>> copy(Optional<Versioned<byte[]>> value) {
    return value.map(v -> v.map(byte[]::clone));
  }

  @Override
  public String toString() {
    return backend;
  }
}
