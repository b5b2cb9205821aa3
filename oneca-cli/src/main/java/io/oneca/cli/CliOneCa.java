package io.oneca.cli;

import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.RetryPolicy;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationPolicy;
import java.time.Duration;

/**
 * Builds the short-lived {@code OneCa} a command uses: its replica id says it is the CLI, bootstrap
 * retries are few, and automatic rotation is off (a CLI run must never rotate by itself).
 */
final class CliOneCa {
  /** The replica id the CLI writes into records and audit events. */
  static final String REPLICA_ID = "oneca-cli";

  private CliOneCa() {}

  static OneCaBuilder builder(VersionedStore store, StoreOptions options, KekOptions kek) {
    return builder(store, options, kek, false, null);
  }

  static OneCaBuilder builder(VersionedStore store, StoreOptions options, KekOptions kek, boolean crossSign,
      OfflineRoot offlineRoot) {
    RotationPolicy.Builder rotation = RotationPolicy.builder().automatic(false).crossSign(crossSign);
    if (offlineRoot != null) {
      rotation.offlineRoot(offlineRoot);
    }
    return kek.apply(OneCa.builder()
        .store(store)
        .caKey(options.key)
        .replicaId(REPLICA_ID)
        .bootstrapRetry(new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2), 0.2))
        .rotation(rotation.build()));
  }

  /** Builds and starts, closing the instance if the bootstrap fails. */
  static OneCa started(OneCaBuilder builder) {
    OneCa oneCa = builder.build();
    try {
      oneCa.start();
      return oneCa;
    } catch (RuntimeException e) {
      oneCa.close();
      throw e;
    }
  }
}
