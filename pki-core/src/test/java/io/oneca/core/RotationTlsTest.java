package io.oneca.core;

import static io.oneca.core.CaFollowingTest.await;
import static io.oneca.core.CaRotationTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.health.HealthStatus;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.rotation.OfflineRoot;
import io.oneca.core.rotation.RotationPolicy;
import io.oneca.core.rotation.RotationStatus;
import io.oneca.core.rotation.RotationThresholds;
import io.oneca.core.rotation.TransitionResult;
import io.oneca.core.rotation.TransitionResult.Outcome;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.ReloadingX509KeyManager;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import io.oneca.core.tls.TlsLoopback;
import io.oneca.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live TLS through a whole rotation timeline under a mutable clock (set in the past, so that every
 * certificate is valid for the JDK's own clock during the handshakes), cross-signing, and intermediate
 * mode under an offline root, checked with the JDK's PKIX validator and {@code openssl verify}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RotationTlsTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  // The JDK checks validity against its own clock during handshakes, so the whole timeline runs in the
  // past: the CA is created 60 days ago, and with prepare at 95 % and activate at 90 % of its life left
  // both steps happen between then and now; leaves live 66 days, so every leaf is valid now.
  private final MutableClock clock = MutableClock.at(Instant.now().minus(Duration.ofDays(60)));
  private static final RotationThresholds COMPRESSED =
      new RotationThresholds(0.95, Duration.ofDays(1000), 0.90, Duration.ofDays(1000));
  @TempDir Path dir;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(RotationPolicy policy) {
    OneCa oneCa = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock)
        .caValidity(CaRotationTest.CA_LIFE).defaultLeafTtl(Duration.ofDays(66)).resyncInterval(Duration.ofMinutes(5))
        .rotation(policy).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  private static SSLContext pinned(ReloadingX509KeyManager keys, List<X509Certificate> bundle) {
    return TlsContexts.sslContext(keys, ReloadingX509TrustManager.of(bundle));
  }

  @Test
  void handshakesHold_throughPrepareActivateRetire_andOldBundlesWorkDuringTheOverlap() throws Exception {
    OneCa server = replica(RotationPolicy.builder().automatic(false).thresholds(COMPRESSED).build());
    OneCa client = replica(RotationPolicy.builder().automatic(false).thresholds(COMPRESSED).build());
    ManagedIdentity serverIdentity = server.identity(IdentitySpec.builder("server").dnsName("localhost").ttl(Duration.ofDays(66)).build());
    ManagedIdentity clientIdentity = client.identity(IdentitySpec.builder("client").ttl(Duration.ofDays(66)).build());
    X509Certificate firstCa = server.ca().certificate();
    List<X509Certificate> bundleBeforePrepare = client.ca().trustBundle();
    IdentitySnapshot oldClientLeaf = clientIdentity.current();
    SSLContext liveClient = clientIdentity.sslContext();
    SSLContext oldBundleClient = pinned(clientIdentity.keyManager(), bundleBeforePrepare);

    try (TlsLoopback listener = TlsLoopback.start(serverIdentity.sslContext(), true)) {
      assertThat(listener.connect(liveClient)).isEqualTo(serverIdentity.current().certificate());
      RotationStatus initial = server.rotation().status();

      clock.set(initial.prepareAt().plusSeconds(1));
      TransitionResult prepared = run(client.rotation().tick());
      assertThat(prepared.outcome()).isEqualTo(Outcome.APPLIED);
      await(() -> server.ca().storeVersion() == prepared.status().storeVersion()
          && serverIdentity.trustManager().anchors().size() == 2 && clientIdentity.trustManager().anchors().size() == 2);
      assertThat(listener.connect(liveClient)).isEqualTo(serverIdentity.current().certificate());
      assertThat(listener.connect(oldBundleClient)).as("a client with the bundle from before the prepare")
          .isEqualTo(serverIdentity.current().certificate());
      List<X509Certificate> bundleWhilePrepared = client.ca().trustBundle();
      SSLContext preparedBundleClient = pinned(ReloadingX509KeyManager.of(oldClientLeaf.privateKey(),
          oldClientLeaf.chain()), bundleWhilePrepared);

      clock.set(initial.activateAt().plusSeconds(1));
      TransitionResult activated = run(server.rotation().tick());
      assertThat(activated.outcome()).isEqualTo(Outcome.APPLIED);
      Fingerprint next = activated.status().active().fingerprint();
      await(() -> serverIdentity.current().caFingerprint().equals(next)
          && clientIdentity.current().caFingerprint().equals(next));
      X509Certificate served = listener.connect(liveClient);
      assertThat(served).isEqualTo(serverIdentity.current().certificate());
      assertThat(Fingerprint.of(served)).isNotEqualTo(Fingerprint.of(firstCa));
      assertThat(listener.connect(preparedBundleClient))
          .as("a client that still holds the prepared-phase bundle and a leaf of the retired CA")
          .isEqualTo(served);
      assertThatThrownBy(() -> listener.connect(oldBundleClient))
          .as("a client that never fetched a bundle with the new CA cannot verify it (no cross-signing)")
          .isInstanceOf(SSLException.class);

      clock.set(activated.status().retired().get(0).retainUntil().orElseThrow().plusSeconds(1));
      TransitionResult pruned = run(client.rotation().retireExpired());
      assertThat(pruned.outcome()).as(pruned.detail()).isEqualTo(Outcome.APPLIED);
      await(() -> serverIdentity.trustManager().anchors().size() == 1);
      assertThat(listener.connect(liveClient)).isEqualTo(serverIdentity.current().certificate());
      assertThatThrownBy(() -> listener.connect(preparedBundleClient))
          .as("after retirement the server no longer accepts leaves of the retired CA")
          .isInstanceOf(SSLException.class);
    }
  }

  @Test
  void crossSigning_letsClientsThatTrustOnlyTheOldRootVerifyTheNewCa() throws Exception {
    OneCa server = replica(RotationPolicy.builder().automatic(false).thresholds(COMPRESSED).crossSign(true).build());
    ManagedIdentity serverIdentity = server.identity(IdentitySpec.builder("server").dnsName("localhost").ttl(Duration.ofDays(66)).build());
    ManagedIdentity clientIdentity = server.identity(IdentitySpec.builder("client").ttl(Duration.ofDays(66)).build());
    X509Certificate oldRoot = server.ca().certificate();
    SSLContext oldRootOnly = pinned(clientIdentity.keyManager(), List.of(oldRoot));

    TransitionResult prepared = run(server.rotation().prepare());
    assertThat(prepared.status().prepared().orElseThrow().crossCertificate()).isPresent();
    TransitionResult activated = run(server.rotation().activate());
    X509Certificate newRoot = activated.status().active().certificate();
    X509Certificate cross = activated.status().active().crossCertificate().orElseThrow();
    assertThat(cross.getIssuerX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
    assertThat(cross.getPublicKey()).isEqualTo(newRoot.getPublicKey());
    await(() -> serverIdentity.current().caFingerprint().equals(Fingerprint.of(newRoot)));
    List<X509Certificate> chain = serverIdentity.current().chain();
    assertThat(chain).hasSize(2);
    assertThat(chain.get(1)).isEqualTo(cross);

    try (TlsLoopback listener = TlsLoopback.start(serverIdentity.sslContext(), true)) {
      assertThat(listener.connect(oldRootOnly)).as("trusting only the old root").isEqualTo(chain.get(0));
      assertThat(listener.connect(pinned(clientIdentity.keyManager(), List.of(newRoot))))
          .as("trusting only the new root").isEqualTo(chain.get(0));
    }
    TestPki.assertPkixValid(List.of(chain.get(0), cross, oldRoot), clock.instant());
    TestPki.assertPkixValid(List.of(chain.get(0), newRoot), clock.instant());
    TestPki.assertOpensslValid(List.of(chain.get(0), cross, oldRoot), "sslserver", dir);
    TestPki.assertOpensslValid(List.of(chain.get(0), newRoot), "sslserver", dir);
  }

  @Test
  void intermediateMode_rotatesTheIntermediate_underAnUnchangedOfflineRoot() throws Exception {
    CaMaterial root = new CaGenerator(Providers.bouncyCastle(), new SecureRandom()).generate(
        new CaSpec("CN=Offline Root,O=Example", KeyAlgorithm.EC_P256, Duration.ofDays(3650), 1),
        clock.instant().minus(Duration.ofDays(1)));
    Path rootCert = Files.writeString(dir.resolve("root.crt"), Pem.encodeCertificates(root.chain()));
    Path rootKey = Files.writeString(dir.resolve("root.key"), PemKeys.encodePkcs8(root.privateKey()));
    OfflineRoot withKey = OfflineRoot.fromPemFiles(rootCert, rootKey);
    OneCa online = replica(RotationPolicy.builder().automatic(false).thresholds(COMPRESSED).offlineRoot(withKey).build());
    OneCa follower = replica(RotationPolicy.builder().automatic(false).thresholds(COMPRESSED)
        .offlineRoot(OfflineRoot.certificateFromPemFile(rootCert)).build());

    assertThat(online.ca().chain()).hasSize(2);
    assertThat(online.ca().chain().get(1)).isEqualTo(root.certificate());
    assertThat(online.ca().trustBundle()).containsExactly(root.certificate());
    IssuedCertificate leaf = follower.issue(CaRotationTest.request());
    assertThat(leaf.chain()).hasSize(3).endsWith(root.certificate());
    TestPki.assertPkixValid(leaf.chain(), clock.instant());
    TestPki.assertOpensslValid(leaf.chain(), "sslserver", dir);

    // The follower has only the root certificate: it cannot prepare, and says so.
    clock.set(follower.rotation().status().prepareAt().plusSeconds(1));
    TransitionResult refused = run(follower.rotation().tick());
    assertThat(refused.outcome()).isEqualTo(Outcome.NEEDS_OFFLINE_ROOT);
    assertThat(refused.detail()).contains("CN=Offline Root").contains("oneca rotate prepare");

    // The operator brings the root key for one prepare; activation needs no root.
    TransitionResult prepared = run(follower.rotation().prepare(withKey));
    assertThat(prepared.outcome()).isEqualTo(Outcome.APPLIED);
    TransitionResult activated = run(follower.rotation().activate());
    assertThat(activated.outcome()).isEqualTo(Outcome.APPLIED);
    await(() -> online.ca().fingerprint().equals(activated.status().active().fingerprint()));
    assertThat(online.ca().trustBundle()).as("rotating the intermediate does not change the root")
        .containsExactly(root.certificate());
    IssuedCertificate afterRotation = online.issue(CaRotationTest.request());
    assertThat(afterRotation.chain().get(1)).isNotEqualTo(leaf.chain().get(1));
    TestPki.assertPkixValid(afterRotation.chain(), clock.instant());
    TestPki.assertOpensslValid(afterRotation.chain(), "sslserver", dir);
    // A leaf of the old intermediate still validates against the unchanged root.
    TestPki.assertPkixValid(leaf.chain(), clock.instant());
  }

  @Test
  void intermediateMode_withoutTheRootKey_cannotCreateTheFirstCa() throws Exception {
    CaMaterial root = new CaGenerator(Providers.bouncyCastle(), new SecureRandom()).generate(
        new CaSpec("CN=Offline Root", KeyAlgorithm.EC_P256, Duration.ofDays(3650), 1), clock.instant());
    OneCa replica = OneCa.builder().allowPlaintextCaKey().store(store.newClient()).clock(clock)
        .rotation(RotationPolicy.builder().offlineRoot(OfflineRoot.certificateOnly(root.certificate())).build())
        .build();
    closeables.add(replica);
    assertThatThrownBy(replica::start).hasMessageContaining("only the offline root can sign the first one");
    assertThat(store.get("oneca/ca").get()).as("nothing was written").isEmpty();
    assertThat(replica.health().status()).isEqualTo(HealthStatus.DOWN);
  }
}
