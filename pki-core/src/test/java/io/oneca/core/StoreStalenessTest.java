package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.Await;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica cut off from the store stops issuing once its CA is older than the staleness limit, says
 * so in health, keeps its identities served, and resumes with the next successful read (issue 20,
 * item 9).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreStalenessTest {
  private static final String KEY = "oneca/ca";
  private final InMemoryStore store = InMemoryStore.create();
  private final MutableClock clock = MutableClock.at(Instant.now());
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(FaultInjectingStore client, OneCaBuilder builder) {
    OneCa oneCa = builder.allowPlaintextCaKey().clock(clock).store(client).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  private static CertificateRequest request() {
    return CertificateRequest.fromPublicKey(KeyPairs.generate(io.oneca.api.KeyAlgorithm.EC_P256,
        Providers.bouncyCastle(), new SecureRandom()).getPublic()).dnsName("node-1.example.com").build();
  }

  @Test
  void partitionedReplica_refusesToIssuePastTheLimit_healthIsDown_identityKeepsServing_andAllRecover()
      throws Exception {
    FaultInjectingStore partitioned = FaultInjectingStore.wrap(store.newClient());
    OneCa oneCa = replica(partitioned, OneCa.builder().resyncInterval(Duration.ofMinutes(1))
        .maxStoreStaleness(Duration.ofMinutes(2)));
    Instant started = clock.instant();
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").dnsName("localhost")
        .ttl(Duration.ofHours(1))
        .retry(new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(20), Duration.ofMillis(100), 0.1)).build());
    IdentitySnapshot served = identity.current();

    partitioned.setUnavailable(true);
    partitioned.dropEvents(true);
    clock.advance(Duration.ofMinutes(2));
    assertThat(oneCa.issue(request()).caVersion()).as("at the limit it still issues").isPositive();
    assertThat(oneCa.health().check("store-staleness").orElseThrow().status()).isEqualTo(HealthStatus.UP);

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> oneCa.issue(request())).isInstanceOfSatisfying(CaStaleException.class, e -> {
      assertThat(e.key()).isEqualTo(KEY);
      assertThat(e.lastSuccessfulRead()).contains(started);
      assertThat(e.maxStaleness()).isEqualTo(Duration.ofMinutes(2));
      assertThat(e.caVersion()).isEqualTo(oneCa.ca().storeVersion());
      assertThat(e.getMessage()).contains(KEY).contains(started.toString()).contains("PT2M").contains("121 s ago");
    });
    assertThat(oneCa.reload()).failsWithin(Duration.ofSeconds(10));
    assertThat(oneCa.health().check("store-staleness").orElseThrow()).satisfies(check -> {
      assertThat(check.status()).isEqualTo(HealthStatus.DOWN);
      assertThat(check.detail()).contains("refusing to issue").contains("limit 120 s");
    });
    assertThat(oneCa.health().status()).isEqualTo(HealthStatus.DOWN);

    assertThatThrownBy(identity::renewNow).isInstanceOf(CaStaleException.class);
    identity.renewLater("test");
    Await.until("renewals retried", () -> identity.renewalFailures() >= 3);
    assertThat(identity.current()).isSameAs(served);
    assertThat(identity.keyManager().currentChain().orElseThrow().get(0)).isEqualTo(served.certificate());
    assertThat(identity.lastFailure()).hasValueSatisfying(failure -> assertThat(failure).contains("maxStoreStaleness"));

    partitioned.setUnavailable(false);
    partitioned.dropEvents(false);
    oneCa.reload().get(10, TimeUnit.SECONDS);
    assertThat(oneCa.issue(request()).caVersion()).isPositive();
    assertThat(oneCa.health().check("store-staleness").orElseThrow().status()).isEqualTo(HealthStatus.UP);
    Await.until("the identity renewed after the store came back", () -> identity.current() != served);
    assertThat(identity.lastFailure()).isEmpty();
  }

  @Test
  void defaultLimit_isFiveMinutes_withTheDefaultResync() {
    FaultInjectingStore partitioned = FaultInjectingStore.wrap(store.newClient());
    OneCa oneCa = replica(partitioned, OneCa.builder());
    partitioned.setUnavailable(true);
    partitioned.dropEvents(true);
    clock.advance(OneCaBuilder.DEFAULT_MAX_STORE_STALENESS);
    assertThat(oneCa.issue(request()).caVersion()).isPositive();
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> oneCa.issue(request())).isInstanceOf(CaStaleException.class);
  }

  @Test
  void defaultLimit_isFourResyncIntervals_whenThatIsLonger() {
    FaultInjectingStore partitioned = FaultInjectingStore.wrap(store.newClient());
    OneCa oneCa = replica(partitioned, OneCa.builder().resyncInterval(Duration.ofMinutes(10)));
    partitioned.setUnavailable(true);
    partitioned.dropEvents(true);
    clock.advance(Duration.ofMinutes(40));
    assertThat(oneCa.issue(request()).caVersion()).isPositive();
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> oneCa.issue(request())).isInstanceOf(CaStaleException.class);
  }

  @Test
  void builder_validatesTheLimit() {
    assertThatThrownBy(() -> OneCa.builder().maxStoreStaleness(Duration.ZERO))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("maxStoreStaleness"));
    assertThatThrownBy(() -> OneCa.builder().maxStoreStaleness(Duration.ofMinutes(1)).maxStoreStaleness(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> OneCa.builder().allowPlaintextCaKey().store(store.newClient())
        .resyncInterval(Duration.ofMinutes(1)).maxStoreStaleness(Duration.ofSeconds(119)).build())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("maxStoreStaleness"));
  }
}
