package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.Pem;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.audit.AuditSink;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed identity's memory, trust manager, files and listeners follow every CA change, trust-only
 * ones included, and each certificate is written with the trust bundle of the CA state it was issued
 * from (issue 20, item 5).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdentityFollowsCaTest {
  private static final String KEY = "oneca/ca";
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  @TempDir
  Path temp;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  private OneCa replica(OneCaBuilder builder) {
    OneCa oneCa = builder.allowPlaintextCaKey().store(store.newClient()).resyncInterval(Duration.ofHours(1)).build();
    closeables.add(0, oneCa);
    oneCa.start();
    return oneCa;
  }

  @Test
  void preparedCa_rewritesCaCrt_updatesTheSnapshot_andFiresTheListener_keepingTheCertificate() throws Exception {
    OneCa oneCa = replica(OneCa.builder());
    Path out = temp.resolve("server");
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").dnsName("localhost")
        .outputDirectory(out).build());
    IdentitySnapshot first = identity.current();
    String tlsCrt = Files.readString(out.resolve("tls.crt"));
    List<IdentitySnapshot> notified = new CopyOnWriteArrayList<>();
    closeables.add(identity.onRenewal(notified::add));

    oneCa.rotation().prepare().get(30, TimeUnit.SECONDS);
    X509Certificate prepared = oneCa.rotation().status().prepared().orElseThrow().chain().get(0);
    long preparedVersion = oneCa.ca().storeVersion();

    // Files are published before the snapshot reference: wait for both.
    Await.until("ca.crt and the snapshot hold the prepared CA",
        () -> caCrt(out).contains(prepared) && identity.current().trustBundle().contains(prepared));
    assertThat(caCrt(out)).containsExactlyInAnyOrderElementsOf(oneCa.ca().trustBundle());
    assertThat(Files.readString(out.resolve("tls.crt"))).as("the certificate is kept").isEqualTo(tlsCrt);
    assertThat(identity.current().certificate()).isEqualTo(first.certificate());
    assertThat(identity.current().trustBundle()).contains(prepared);
    assertThat(identity.current().caVersion()).isEqualTo(preparedVersion);
    assertThat(identity.current().generation()).isEqualTo(first.generation() + 1);
    assertThat(identity.trustManager().getAcceptedIssuers()).contains(prepared);
    assertThat(identity.renewals()).isZero();
    Await.until("the listener got the new bundle", () -> !notified.isEmpty());
    assertThat(notified).singleElement().satisfies(s -> assertThat(s.trustBundle()).contains(prepared));
  }

  @Test
  void caChangeDuringTheFirstIssuance_isNotMissed() throws Exception {
    OneCa other = replica(OneCa.builder());
    AtomicBoolean armed = new AtomicBoolean();
    AtomicReference<Throwable> hookFailure = new AtomicReference<>();
    OneCa[] self = new OneCa[1];
    AuditSink hook = event -> {
      // Runs inside issue(), before start() of the identity returns: another replica rotates and this
      // replica adopts the new CA right then.
      if (event.type() == AuditEventType.CERTIFICATE_ISSUED && armed.compareAndSet(true, false)) {
        try {
          other.reload().get(30, TimeUnit.SECONDS);
          other.rotation().prepare().get(30, TimeUnit.SECONDS);
          other.rotation().activate().get(30, TimeUnit.SECONDS);
          self[0].reload().get(30, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
          hookFailure.set(e);
        }
      }
    };
    OneCa oneCa = replica(OneCa.builder().auditSink(hook));
    self[0] = oneCa;
    armed.set(true);
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").dnsName("localhost").build());
    assertThat(hookFailure.get()).isNull();
    assertThat(armed.get()).as("the hook ran").isFalse();
    long activated = oneCa.ca().storeVersion();

    Await.until("the identity follows the CA activated during its first issuance", Duration.ofSeconds(10),
        () -> identity.current().caFingerprint().equals(oneCa.ca().fingerprint()));
    assertThat(identity.current().caVersion()).isEqualTo(activated);
    // The first issuance used the CA read before the change (the hook ran inside it), so following the
    // activation took a renewal; the delivery may already have run when start() returned.
    assertThat(identity.renewals()).as("renewals after the first issuance").isPositive();
  }

  @Test
  void everyCertificateIsPairedWithTheBundleOfTheStateItWasIssuedFrom_whileTheCaChangesUnderneath()
      throws Exception {
    OneCa oneCa = replica(OneCa.builder());
    Path out = temp.resolve("race");
    ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("server").dnsName("localhost")
        .outputDirectory(out).build());
    List<String> broken = new CopyOnWriteArrayList<>();
    closeables.add(identity.onRenewal(snapshot -> check("listener", snapshot, broken)));
    // Each CA distrusts the one before: a bundle read from another state than the issuer's lacks it.
    int rounds = 60;
    List<CaRecord> records = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      CaMaterial ca = StoredCas.newCa("CN=Race CA " + i, Duration.ofDays(30), Instant.now());
      records.add(new CaRecord(ca, List.of(ca.certificate()), Instant.now(), "test"));
    }
    long renewNanos = 0;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      identity.renewNow();
      renewNanos = Math.max(renewNanos, System.nanoTime() - t0);
    }
    long base = oneCa.ca().storeVersion();
    BlockingQueue<Long> adoptAt = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> adopted = new LinkedBlockingQueue<>();
    Thread rotator = new Thread(() -> {
      try {
        for (int i = 0; i < rounds; i++) {
          long deadline = adoptAt.take();
          while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
          }
          // Adopt as if read from the store, at a seeded point inside the renewal below.
          oneCa.adoptWritten(new Versioned<>(KEY, new byte[] {1}, base + 1 + i), records.get(i),
              oneCa.adoptedState().generation());
          adopted.add(true);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "rotator");
    rotator.setDaemon(true);
    rotator.start();
    Random random = new Random(20);
    for (int i = 0; i < rounds; i++) {
      adoptAt.add(System.nanoTime() + (long) (random.nextDouble() * renewNanos));
      IdentitySnapshot renewed = identity.renewNow();
      check("renewNow", renewed, broken);
      // A renewal caused by the adoption may publish the next generation while this reads: read both
      // files from one generation directory (the target of ..data), as a consumer of the link would.
      List<X509Certificate> onDisk;
      List<X509Certificate> leafOnDisk;
      for (int attempt = 1; ; attempt++) {
        Path generation = out.resolve("..data").toRealPath();
        try {
          onDisk = Pem.decodeCertificates(Files.readString(generation.resolve("ca.crt"), StandardCharsets.US_ASCII));
          leafOnDisk = Pem.decodeCertificates(Files.readString(generation.resolve("tls.crt"), StandardCharsets.US_ASCII));
          break;
        } catch (java.io.IOException e) {
          // That generation was removed after a newer one was published: read the newer one.
          if (attempt == 100) {
            throw new AssertionError("the output directory kept changing while read", e);
          }
        }
      }
      if (!onDisk.contains(leafOnDisk.get(1))) {
        broken.add("files: ca.crt lacks the issuer " + leafOnDisk.get(1).getSubjectX500Principal());
      }
      assertThat(adopted.poll(10, TimeUnit.SECONDS)).isNotNull();
    }
    rotator.join(10_000);
    assertThat(broken).isEmpty();
  }

  private static void check(String where, IdentitySnapshot snapshot, List<String> broken) {
    X509Certificate issuer = snapshot.chain().get(1);
    if (!snapshot.trustBundle().contains(issuer)) {
      broken.add(where + ": bundle of generation " + snapshot.generation() + " lacks the issuer "
          + issuer.getSubjectX500Principal());
    }
  }

  private static List<X509Certificate> caCrt(Path out) {
    try {
      return Pem.decodeCertificates(Files.readString(out.resolve("ca.crt"), StandardCharsets.US_ASCII));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
