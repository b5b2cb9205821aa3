package io.oneca.backend.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.oneca.api.store.KeyScope;
import java.util.List;

/** Opens watches and reads scopes for {@link SecretWatch}; an interface so tests can force a watch to end. */
interface SecretWatchSource {

  /** Opens a watch on the Secrets that may hold the scope's keys. */
  Watch open(KeyScope scope, Watcher<Secret> watcher);

  /** Reads, linearizably, the Secrets that may hold the scope's keys. */
  List<Secret> read(KeyScope scope);
}
