package io.oneca.backend.k8s;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest store version one {@link KubernetesSecretStore} has seen, from any read, write, watch
 * event or counter value. New versions are taken above it, so that a version counter reseeded from
 * the records that still exist (the counter Secret deleted, records deleted since) never hands this
 * store's readers a version lower than one they already saw. Thread-safe.
 */
final class VersionFloor {
  private final AtomicLong newest = new AtomicLong();

  void observe(long version) {
    newest.accumulateAndGet(version, Math::max);
  }

  long newest() {
    return newest.get();
  }
}
