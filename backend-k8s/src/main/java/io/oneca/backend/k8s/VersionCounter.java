package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.SecretList;
import io.oneca.api.StoreUnavailableException;
import java.util.Map;

/**
 * Hands out store versions: a counter in the annotation of one Secret per name prefix, raised by
 * compare-and-set on its {@code resourceVersion}.
 *
 * <p>Why it gives strictly increasing versions per key, across delete and re-create: a write first
 * reads the key's Secret, then takes the next counter value, then writes conditionally on the
 * {@code resourceVersion} it read. Any write or delete applied to the key before that read took its
 * counter value earlier, and the counter only grows. Values may be skipped (a lost reply), never
 * repeated. If the counter Secret is missing (first use, or deleted by someone), it is seeded above
 * the highest version any record Secret of this prefix holds, and never below the caller's floor nor
 * below the newest version this store has seen (records deleted since took their versions along).
 *
 * <p>The counter's own writes are retried: taking a value twice only skips a number, so there is no
 * unknown outcome to settle. A record write is never retried.
 */
final class VersionCounter {
  static final String ROLE_LABEL = "oneca.io/role";
  static final String ROLE = "version-counter";
  static final String COUNTER = "oneca.io/counter";
  private static final int MAX_ATTEMPTS = 200;

  private final String backend;
  private final SecretNames names;
  private final NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets;
  private final VersionFloor seen;

  VersionCounter(String backend, SecretNames names, NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets,
      VersionFloor seen) {
    this.backend = backend;
    this.names = names;
    this.secrets = secrets;
    this.seen = seen;
  }

  /**
   * Takes the next value, greater than {@code floor}, than every value taken before, and than every
   * version this store has seen (so a counter reseeded after records were deleted never hands out
   * a version that readers of this store already saw).
   *
   * @param key the record key the value is for (for messages)
   * @param keyFloor the newest version known for the key, or 0
   */
  long next(String key, long keyFloor) {
    long value = take(key, Math.max(keyFloor, seen.newest()));
    seen.observe(value);
    return value;
  }

  private long take(String key, long floor) {
    String name = names.counterName();
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        Secret counter = secrets.withName(name).get();
        if (counter == null) {
          long seed = Math.max(floor, highestRecordVersion()) + 1;
          secrets.resource(counterSecret(name, seed, null)).create();
          return seed;
        }
        long current = counterValue(counter);
        long next = Math.max(floor, current < 0 ? highestRecordVersion() : current) + 1;
        secrets.resource(counterSecret(name, next, counter.getMetadata().getResourceVersion())).update();
        return next;
      } catch (KubernetesClientException e) {
        if (!ApiErrors.isConflict(e) && !ApiErrors.outcomeUnknown(e)) {
          throw (StoreUnavailableException) ApiErrors.toStoreException(
              backend, key, false, "taking a version from Secret " + name, e);
        }
        last = e;
      }
    }
    throw (StoreUnavailableException) ApiErrors.toStoreException(
        backend, key, false, "taking a version from Secret " + name + " (" + MAX_ATTEMPTS + " attempts)", last);
  }

  private long highestRecordVersion() {
    long highest = 0;
    for (Secret secret : secrets.withLabel(SecretCodec.MANAGED_BY_LABEL, SecretCodec.MANAGED_BY).list().getItems()) {
      if (names.mayHoldRecord(secret.getMetadata().getName())) {
        highest = Math.max(highest, SecretCodec.versionOf(secret));
      }
    }
    return highest;
  }

  /** The counter's value, or -1 if the annotation is missing or damaged (then the records decide). */
  private static long counterValue(Secret counter) {
    Map<String, String> annotations = counter.getMetadata().getAnnotations();
    String text = annotations == null ? null : annotations.get(COUNTER);
    if (text == null) {
      return -1;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Secret counterSecret(String name, long value, String resourceVersion) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withResourceVersion(resourceVersion)
        .withLabels(Map.of(SecretCodec.MANAGED_BY_LABEL, SecretCodec.MANAGED_BY, ROLE_LABEL, ROLE))
        .withAnnotations(Map.of(COUNTER, Long.toString(value)))
        .endMetadata()
        .withType(SecretCodec.TYPE_OPAQUE)
        .build();
  }
}
