package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import java.util.List;

/** Opens the watch and reads for {@link SecretWatchHub}; an interface so tests can end watches or delay reads. */
interface SecretWatchSource {

  /** Opens a watch on every Secret of the store (the managed-by label). */
  Watch open(Watcher<Secret> watcher);

  /** Reads, linearizably, every Secret of the store (the managed-by label). */
  List<Secret> read();
}
