package io.oneca.netty;

import io.oneca.api.Fingerprint;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
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

  /** Like {@link #identity(String)}, with a key of the given algorithm. */
  ManagedIdentity identity(String name, io.oneca.api.KeyAlgorithm algorithm) {
    return oneCa.identity(IdentitySpec.builder(name).ipAddress("127.0.0.1").dnsName("localhost")
        .keyAlgorithm(algorithm).build());
  }

  /** The CA this replica uses now. */
  Fingerprint caFingerprint() {
    return oneCa.ca().fingerprint();
  }

  /**
   * Forces a CA rotation that distrusts the old CA at once, as an operator would after a suspected
   * compromise. This replica adopts the new record and re-issues its identities from the new CA.
   *
   * @return the new CA's fingerprint
   */
  Fingerprint forceRotation() throws Exception {
    return oneCa.rotation().force(true).get(10, TimeUnit.SECONDS).status().active().fingerprint();
  }

  @Override
  public void close() {
    oneCa.close();
    store.close();
  }
}
