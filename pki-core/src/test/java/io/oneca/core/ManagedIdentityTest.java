package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.TlsLoopback;
import io.oneca.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagedIdentityTest {
  private static final String KEY = "oneca/ca";
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(OneCaBuilder builder) {
    OneCa oneCa = builder.store(store.newClient()).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  @Test
  void renewsAtItsShareOfTheLifetime() throws Exception {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey());
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").dnsName("localhost")
        .ttl(Duration.ofSeconds(3)).renewAtShare(0.5).jitterShare(0).build());
    IdentitySnapshot first = identity.current();
    assertThat(first.generation()).isEqualTo(1);
    assertThat(identity.nextRenewal()).isBetween(Instant.now().plusMillis(500), Instant.now().plusSeconds(2));

    await(() -> identity.renewals() >= 1);
    IdentitySnapshot second = identity.current();
    assertThat(second.generation()).isGreaterThanOrEqualTo(2);
    assertThat(second.certificate().getSerialNumber()).isNotEqualTo(first.certificate().getSerialNumber());
    assertThat(second.privateKey().getEncoded()).isNotEqualTo(first.privateKey().getEncoded());
    assertThat(identity.keyManager().currentChain().orElseThrow().get(0)).isEqualTo(second.certificate());
  }

  @Test
  void caChange_reissuesAtOnce_andLiveTlsFollows() throws Exception {
    OneCa server = replica(OneCa.builder().allowPlaintextCaKey().resyncInterval(Duration.ofMinutes(5)));
    OneCa client = replica(OneCa.builder().allowPlaintextCaKey().resyncInterval(Duration.ofMinutes(5)));
    ManagedIdentity serverIdentity = server.identity(IdentitySpec.builder("server").dnsName("localhost").build());
    ManagedIdentity clientIdentity = client.identity(IdentitySpec.builder("client").build());
    try (TlsLoopback listener = TlsLoopback.start(serverIdentity.sslContext(), true)) {
      assertThat(listener.connect(clientIdentity.sslContext())).isEqualTo(serverIdentity.current().certificate());

      CaMaterial next = StoredCas.newCa("CN=Next CA", Duration.ofDays(30), Instant.now());
      Fingerprint oldCa = server.ca().fingerprint();
      Versioned<byte[]> written = StoredCas.replace(store, KEY, next, List.of());
      await(() -> serverIdentity.current().caVersion() == written.version()
          && clientIdentity.current().caVersion() == written.version());

      assertThat(serverIdentity.current().caFingerprint()).isEqualTo(next.fingerprint()).isNotEqualTo(oldCa);
      assertThat(serverIdentity.current().certificate().getIssuerX500Principal().getName()).isEqualTo("CN=Next CA");
      assertThat(listener.connect(clientIdentity.sslContext())).isEqualTo(serverIdentity.current().certificate());
    }
  }

  @Test
  void failedRenewal_keepsServingTheOldCertificate_retries_andRecovers() throws Exception {
    MutableClock clock = MutableClock.at(Instant.now());
    // The clock jumps past the CA's end; the staleness limit is set beyond that jump, so the CA's expiry
    // (not the store read's age) is what fails the renewal here.
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey().clock(clock).caValidity(Duration.ofDays(10))
        .maxStoreStaleness(Duration.ofDays(30)));
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").ttl(Duration.ofHours(1))
        .retry(new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(50), Duration.ofMillis(200), 0.1)).build());
    IdentitySnapshot served = identity.current();

    clock.advance(Duration.ofDays(11));
    assertThatThrownBy(identity::renewNow).isInstanceOf(IllegalStateException.class);
    oneCaRenewInBackground(oneCa);
    await(() -> identity.renewalFailures() >= 2);
    assertThat(identity.current()).isSameAs(served);
    assertThat(identity.keyManager().currentChain().orElseThrow().get(0)).isEqualTo(served.certificate());
    assertThat(oneCa.health().check("renewal:server").orElseThrow().status()).isEqualTo(HealthStatus.DEGRADED);

    clock.set(Instant.now());
    await(() -> identity.current() != served);
    assertThat(identity.lastFailure()).isEmpty();
    assertThat(oneCa.health().check("renewal:server").orElseThrow().status()).isEqualTo(HealthStatus.UP);
  }

  /** Triggers the background path (retry with backoff) the way a CA change does. */
  private static void oneCaRenewInBackground(OneCa oneCa) {
    oneCa.identities().forEach(identity -> identity.renewLater("test"));
  }

  @Test
  void renewalSchedule_isTheShareOfTheLifetime_withBoundedJitter() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = start.plus(Duration.ofHours(24));
    assertThat(RenewalSchedule.renewAt(start, end, 2.0 / 3, 0.1, 0)).isEqualTo(start.plus(Duration.ofHours(16)));
    assertThat(RenewalSchedule.renewAt(start, end, 2.0 / 3, 0.1, 1))
        .isEqualTo(start.plus(Duration.ofMinutes(16 * 60 + 96)));
    assertThat(RenewalSchedule.renewAt(start, end, 2.0 / 3, 0.1, -1))
        .isEqualTo(start.plus(Duration.ofMinutes(16 * 60 - 96)));
    assertThat(RenewalSchedule.renewAt(start, end, 0.99, 0.4, 1)).isEqualTo(end);
  }

  @Test
  void closedIdentity_stopsRenewing() throws Exception {
    OneCa oneCa = replica(OneCa.builder().allowPlaintextCaKey());
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").ttl(Duration.ofSeconds(2))
        .renewAtShare(0.3).jitterShare(0).build());
    identity.close();
    assertThat(oneCa.identities()).doesNotContain(identity);
    assertThatThrownBy(identity::renewNow).isInstanceOf(IllegalStateException.class);
  }
}
