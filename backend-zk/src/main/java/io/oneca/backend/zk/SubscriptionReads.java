package io.oneca.backend.zk;

import io.oneca.api.store.Versioned;
import java.util.List;
import java.util.Optional;

/** The linearizable reads that feed subscriptions; an interface so tests can make reads fail. */
interface SubscriptionReads {

  /** Reads one key (sync first). */
  Optional<Versioned<byte[]>> get(String key) throws Exception;

  /** Lists the keys under a prefix (a consistent snapshot). */
  List<Versioned<byte[]>> list(String prefix) throws Exception;
}
