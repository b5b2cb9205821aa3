package io.oneca.grpc;

import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;

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

  @Override
  public void close() {
    oneCa.close();
    store.close();
  }
}
