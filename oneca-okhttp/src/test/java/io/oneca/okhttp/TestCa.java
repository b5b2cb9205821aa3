package io.oneca.okhttp;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.store.InMemoryStore;
import java.util.concurrent.TimeUnit;

/** Test support: a OneCA replica on its own in-memory store (so two of them are two different CAs). */
final class TestCa implements AutoCloseable {
  private final InMemoryStore store = InMemoryStore.create();
  private final OneCa oneCa;

  TestCa(String subject) {
    oneCa = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().caSubject(subject).build();
    oneCa.start();
  }

  /** An identity valid for 127.0.0.1 and localhost, as server and client. */
  ManagedIdentity identity(String name) {
    return oneCa.identity(IdentitySpec.builder(name).ipAddress("127.0.0.1").dnsName("localhost").build());
  }

  /** The CA this replica uses now. */
  Fingerprint caFingerprint() {
    return oneCa.ca().fingerprint();
  }

  /**
   * Replaces the stored CA with a new one, as an operator would after a compromise: deletes the
   * record and lets another replica bootstrap a fresh CA at the same key. This replica follows the
   * store and re-issues its identities from the new CA.
   *
   * @return the new CA's fingerprint
   */
  Fingerprint replaceCa(String subject) throws Exception {
    Versioned<byte[]> stored = store.get(OneCaBuilder.DEFAULT_CA_KEY).get(5, TimeUnit.SECONDS).orElseThrow();
    CasResult deleted = store.delete(OneCaBuilder.DEFAULT_CA_KEY, Precondition.atVersion(stored.version()))
        .get(5, TimeUnit.SECONDS);
    if (!(deleted instanceof CasResult.Applied)) {
      throw new IllegalStateException("could not delete the CA record: " + deleted);
    }
    try (OneCa other = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().caSubject(subject).build()) {
      other.start();
      return other.ca().fingerprint();
    }
  }

  @Override
  public void close() {
    oneCa.close();
    store.close();
  }
}
