package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.CaView;
import io.oneca.api.CertificateRequest;
import io.oneca.api.Fingerprint;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.core.delivery.AckTracker;
import io.oneca.core.delivery.ActivationGate;
import io.oneca.core.delivery.DeliveryHub;
import io.oneca.core.delivery.DeliverySubscription;
import io.oneca.core.delivery.TrustBundleFeed;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.rotation.CaSlot;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.rotation.TransitionResult.Outcome;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.FaultInjectingStore;
import io.oneca.testkit.MutableClock;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rotation lifecycle on one store: thresholds, slots, trust bundle, identities, force, gate, audit. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaRotationTest {
  static final Duration CA_LIFE = Duration.ofDays(400);
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(MutableClock clock, RotationPolicy policy) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock).caValidity(CA_LIFE)
        .defaultLeafTtl(Duration.ofDays(30)).resyncInterval(Duration.ofMinutes(5)).rotation(policy)
        .auditSink(audit::add).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  private static RotationPolicy manual() {
    return RotationPolicy.builder().automatic(false).build();
  }

  static TransitionResult run(java.util.concurrent.CompletableFuture<TransitionResult> step) throws Exception {
    return step.get(30, TimeUnit.SECONDS);
  }

  @Test
  void timeline_prepareActivateRetire_followsSpireThresholds() throws Exception {
    MutableClock clock = MutableClock.at(Instant.now().minus(Duration.ofDays(394)));
    OneCa a = replica(clock, manual());
    OneCa b = replica(clock, manual());
    ManagedIdentity identity = b.identity(IdentitySpec.builder("server").dnsName("localhost").build());
    X509Certificate first = a.ca().certificate();
    long firstSerialOfIdentity = identity.current().certificate().getSerialNumber().longValue();
    RotationStatus initial = a.rotation().status();
    assertThat(initial.prepareAt()).isEqualTo(first.getNotAfter().toInstant().minus(Duration.ofDays(30)));
    assertThat(initial.activateAt()).isEqualTo(first.getNotAfter().toInstant().minus(Duration.ofDays(7)));

    // Not due yet: nothing happens.
    assertThat(run(a.rotation().tick()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);

    // Prepare: the successor joins the bundle, signs nothing; identities keep their leaf.
    clock.set(initial.prepareAt().plusSeconds(1));
    TransitionResult prepared = run(a.rotation().tick());
    assertThat(prepared.outcome()).as(prepared.detail()).isEqualTo(Outcome.APPLIED);
    Fingerprint next = prepared.status().prepared().orElseThrow().fingerprint();
    await(() -> b.ca().storeVersion() == prepared.status().storeVersion());
    assertThat(b.ca().fingerprint()).isEqualTo(Fingerprint.of(first));
    assertThat(b.ca().trustBundle()).extracting(Fingerprint::of).containsExactly(Fingerprint.of(first), next);
    await(() -> identity.trustManager().anchors().size() == 2);
    assertThat(identity.current().certificate().getSerialNumber().longValue()).isEqualTo(firstSerialOfIdentity);
    assertThat(b.rotation().status().prepared().orElseThrow().since()).contains(clock.instant());
    assertThat(run(b.rotation().tick()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
    assertThat(b.issue(request()).caFingerprint()).isEqualTo(Fingerprint.of(first));

    // Activate: the successor signs, the old CA is retired but still trusted; identities re-issue.
    clock.set(initial.activateAt().plusSeconds(1));
    TransitionResult activated = run(b.rotation().tick());
    assertThat(activated.outcome()).as(activated.detail()).isEqualTo(Outcome.APPLIED);
    await(() -> identity.current().caFingerprint().equals(next) && a.ca().fingerprint().equals(next));
    assertThat(a.issue(request()).caFingerprint()).isEqualTo(next);
    RotationStatus afterActivation = a.rotation().status();
    assertThat(afterActivation.active().fingerprint()).isEqualTo(next);
    assertThat(afterActivation.prepared()).isEmpty();
    CaSlot retired = afterActivation.retired().get(0);
    assertThat(retired.fingerprint()).isEqualTo(Fingerprint.of(first));
    // Leaves of the old CA live at most 400/6 days but no longer than the old CA: that is the retention.
    assertThat(retired.retainUntil()).contains(first.getNotAfter().toInstant());
    assertThat(a.ca().trustBundle()).extracting(Fingerprint::of).containsExactlyInAnyOrder(Fingerprint.of(first), next);

    // Retire: after the retention, the old CA leaves the bundle.
    clock.set(first.getNotAfter().toInstant().minusSeconds(1));
    assertThat(run(a.rotation().tick()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
    clock.set(first.getNotAfter().toInstant().plusSeconds(1));
    TransitionResult pruned = run(a.rotation().tick());
    assertThat(pruned.outcome()).as(pruned.detail()).isEqualTo(Outcome.APPLIED);
    assertThat(pruned.status().retired()).isEmpty();
    assertThat(pruned.status().trustBundle()).extracting(Fingerprint::of).containsExactly(next);
    await(() -> identity.trustManager().anchors().size() == 1);

    assertThat(audit).extracting(AuditEvent::type).contains(AuditEventType.CA_ROTATION_PREPARED,
        AuditEventType.CA_ROTATION_ACTIVATED, AuditEventType.CA_ROTATION_RETIRED);
  }

  @Test
  void successorSubjects_areUnique_andLeavesAreCappedAtASixthOfTheCaLife() throws Exception {
    MutableClock clock = MutableClock.atSystemTime();
    OneCa a = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock)
        .caValidity(Duration.ofDays(60)).rotation(manual()).build();
    closeables.add(a);
    a.start();
    IssuedCertificate leaf = a.issue(CertificateRequest.fromPublicKey(publicKey()).dnsName("svc.example")
        .ttl(Duration.ofDays(59)).build());
    // A sixth of the CA's 60 days (plus its one-minute backdating), not the 59 days asked for.
    assertThat(Duration.between(leaf.notBefore(), leaf.notAfter())).isBetween(Duration.ofDays(10), Duration.ofDays(10).plusMinutes(2));

    TransitionResult one = run(a.rotation().force(false));
    TransitionResult two = run(a.rotation().force(false));
    assertThat(one.status().active().subject()).isNotEqualTo(two.status().active().subject())
        .startsWith("OU=oneca-");
    assertThat(two.status().retired()).hasSize(2);
  }

  @Test
  void force_withoutDistrust_keepsOldTrusted_withDistrust_dropsItAtOnce() throws Exception {
    MutableClock clock = MutableClock.atSystemTime();
    OneCa a = replica(clock, manual());
    OneCa b = replica(clock, manual());
    ManagedIdentity identity = b.identity(IdentitySpec.builder("server").dnsName("localhost").build());
    Fingerprint first = a.ca().fingerprint();
    assertThat(run(a.rotation().prepare()).outcome()).isEqualTo(Outcome.APPLIED);
    Fingerprint preparedBefore = a.rotation().status().prepared().orElseThrow().fingerprint();

    TransitionResult kept = run(a.rotation().force(false));
    assertThat(kept.outcome()).isEqualTo(Outcome.APPLIED);
    Fingerprint second = kept.status().active().fingerprint();
    assertThat(second).isNotIn(first, preparedBefore);
    assertThat(kept.status().trustBundle()).extracting(Fingerprint::of)
        .containsExactlyInAnyOrder(first, second).doesNotContain(preparedBefore);
    await(() -> identity.current().caFingerprint().equals(second));

    TransitionResult distrusted = run(b.rotation().force(true));
    assertThat(distrusted.outcome()).isEqualTo(Outcome.APPLIED);
    Fingerprint third = distrusted.status().active().fingerprint();
    assertThat(distrusted.status().trustBundle()).extracting(Fingerprint::of)
        .containsExactlyInAnyOrder(first, third).doesNotContain(second);
    assertThat(distrusted.status().retired()).extracting(CaSlot::fingerprint).containsExactly(first);
    await(() -> identity.current().caFingerprint().equals(third)
        && identity.trustManager().anchors().stream().map(Fingerprint::of).noneMatch(second::equals));

    // A replica whose memory still shows an older CA does not rotate again: the store already moved.
    await(() -> a.ca().fingerprint().equals(third));
    assertThat(audit).filteredOn(event -> event.type() == AuditEventType.CA_ROTATION_ACTIVATED)
        .extracting(event -> event.details().get("previousDistrusted")).containsExactly(null, "true");
  }

  @Test
  void staleForce_isAlreadyDone_notASecondRotation() throws Exception {
    MutableClock clock = MutableClock.atSystemTime();
    FaultInjectingStore deaf = FaultInjectingStore.wrap(store.newClient());
    OneCa a = OneCa.builder().allowPlaintextCaKey().store(deaf).clock(clock)
        .resyncInterval(Duration.ofMinutes(5)).rotation(manual()).build();
    closeables.add(a);
    a.start();
    OneCa b = replica(clock, manual());
    Fingerprint first = a.ca().fingerprint();
    deaf.dropEvents(true);

    TransitionResult byB = run(b.rotation().force(false));
    assertThat(a.ca().fingerprint()).as("a has not heard of b's rotation").isEqualTo(first);
    // a is asked to rotate away from the CA it knows; the store already did: no second rotation.
    TransitionResult byA = run(a.rotation().force(false));

    assertThat(byA.outcome()).as(byA.detail()).isEqualTo(Outcome.ALREADY_DONE);
    assertThat(byA.status().active().fingerprint()).isEqualTo(byB.status().active().fingerprint());
    assertThat(byA.status().storeVersion()).isEqualTo(byB.status().storeVersion());
    assertThat(a.ca().fingerprint()).as("the read adopted the winner").isEqualTo(byB.status().active().fingerprint());
  }

  @Test
  void activationGate_holdsActivation_untilAcknowledgedOrDeadline() throws Exception {
    MutableClock clock = MutableClock.at(Instant.now().minus(Duration.ofDays(394)));
    AckTracker acks = AckTracker.create(clock);
    DeliveryHub<CaView> hub = DeliveryHub.create(Runnable::run);
    closeables.add(hub);
    ActivationGate gate = ActivationGate.builder().requiredShare(1.0).maxWait(Duration.ofDays(30)).clock(clock).build();
    OneCa a = replica(clock, RotationPolicy.builder().automatic(false)
        .activationCondition(io.oneca.core.rotation.ActivationCondition.acknowledged(gate, hub, "bundle", acks))
        .build());
    // Two edges subscribe to the bundle; each acknowledges what it installed.
    List<Long> installedByEdge1 = new CopyOnWriteArrayList<>();
    DeliverySubscription edge1 = hub.subscribe("edge-1", "bundle", update -> installedByEdge1.add(update.version()));
    DeliverySubscription edge2 = hub.subscribe("edge-2", "bundle", update -> { });
    closeables.add(edge1);
    closeables.add(edge2);
    closeables.add(TrustBundleFeed.start(a, hub, "bundle"));
    assertThat(hub.latest("bundle").orElseThrow().value().fingerprint()).isEqualTo(a.ca().fingerprint());

    RotationStatus initial = a.rotation().status();
    clock.set(initial.prepareAt().plusSeconds(1));
    TransitionResult prepared = run(a.rotation().tick());
    long preparedVersion = prepared.status().storeVersion();
    await(() -> installedByEdge1.contains(preparedVersion));
    assertThat(hub.latest("bundle").orElseThrow().value().trustBundle()).hasSize(2);
    acks.acknowledge("edge-1", preparedVersion);

    clock.set(initial.activateAt().plusSeconds(1));
    TransitionResult held = run(a.rotation().tick());
    assertThat(held.outcome()).as(held.detail()).isEqualTo(Outcome.GATE_CLOSED);
    assertThat(held.detail()).contains("edge-2").doesNotContain("edge-1,");
    assertThat(a.rotation().status().prepared()).isPresent();
    assertThat(a.health().checks()).filteredOn(check -> check.name().equals("rotation"))
        .singleElement().satisfies(check -> assertThat(check.status()).isEqualTo(HealthStatus.UP));

    acks.acknowledge("edge-2", preparedVersion);
    TransitionResult released = run(a.rotation().tick());
    assertThat(released.outcome()).as(released.detail()).isEqualTo(Outcome.APPLIED);
    assertThat(released.detail()).contains("ALL_ACKNOWLEDGED");

    // Next cycle: nobody acknowledges; the deadline opens the gate.
    RotationStatus second = a.rotation().status();
    clock.set(second.prepareAt().plusSeconds(1));
    TransitionResult preparedAgain = run(a.rotation().tick());
    assertThat(preparedAgain.outcome()).isEqualTo(Outcome.APPLIED);
    clock.set(second.activateAt().plusSeconds(1));
    if (!clock.instant().isAfter(preparedAgain.status().prepared().orElseThrow().since().orElseThrow()
        .plus(Duration.ofDays(30)))) {
      assertThat(run(a.rotation().tick()).outcome()).isEqualTo(Outcome.GATE_CLOSED);
    }
    clock.set(preparedAgain.status().prepared().orElseThrow().since().orElseThrow().plus(Duration.ofDays(30)));
    TransitionResult deadline = run(a.rotation().tick());
    assertThat(deadline.outcome()).as(deadline.detail()).isEqualTo(Outcome.APPLIED);
    assertThat(deadline.detail()).contains("DEADLINE_PASSED");
  }

  @Test
  void explicitActivate_withNothingPrepared_isNothingToDo_andTwiceIsAlreadyDone() throws Exception {
    OneCa a = replica(MutableClock.atSystemTime(), manual());
    assertThat(run(a.rotation().activate()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
    assertThat(run(a.rotation().prepare()).outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(run(a.rotation().prepare()).outcome()).isEqualTo(Outcome.ALREADY_DONE);
    assertThat(run(a.rotation().activate()).outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(run(a.rotation().activate()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
    assertThat(run(a.rotation().retireExpired()).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
  }

  @Test
  void automaticRotation_runsOnItsOwn() throws Exception {
    // A CA whose life is nearly over at start: the automatic step prepares and activates by itself.
    MutableClock clock = MutableClock.atSystemTime();
    OneCa a = replica(clock, RotationPolicy.builder().checkInterval(Duration.ofMillis(50)).build());
    Fingerprint first = a.ca().fingerprint();
    clock.set(a.rotation().status().activateAt().plusSeconds(1));
    await(() -> !a.ca().fingerprint().equals(first));
    assertThat(a.rotation().status().retired()).extracting(CaSlot::fingerprint).containsExactly(first);
  }

  static CertificateRequest request() {
    return CertificateRequest.fromPublicKey(publicKey()).dnsName("svc.example").build();
  }

  static java.security.PublicKey publicKey() {
    return KeyPairs.generate(KeyAlgorithm.EC_P256, Providers.bouncyCastle(), new SecureRandom()).getPublic();
  }
}
