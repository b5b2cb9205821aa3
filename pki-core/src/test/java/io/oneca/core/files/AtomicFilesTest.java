package io.oneca.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.OneCa;
import io.oneca.core.internal.crypto.KeyPairs;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.IdentityExport;
import io.oneca.core.tls.ReloadingX509TrustManager;
import io.oneca.core.tls.TlsContexts;
import io.oneca.core.tls.TlsLoopback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import io.oneca.testkit.Await;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kops incident: a consumer reading by path must see renewed files, however they were replaced. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AtomicFilesTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final OneCa ca = OneCa.builder().allowPlaintextCaKey().store(store).build();

  @TempDir Path dir;

  AtomicFilesTest() {
    ca.start();
  }

  @AfterEach
  void tearDown() {
    ca.close();
    store.close();
  }

  private Map<String, byte[]> identityFiles(String name) {
    KeyPair keys = KeyPairs.generate(KeyAlgorithm.EC_P256, Providers.bouncyCastle(), new SecureRandom());
    IssuedCertificate issued = ca.issue(CertificateRequest.fromPublicKey(keys.getPublic()).commonName(name)
        .ipAddress("127.0.0.1").build());
    return Map.of(
        "tls.crt", Pem.encodeCertificates(issued.chain()).getBytes(StandardCharsets.US_ASCII),
        "tls.key", IdentityExport.privateKeyPem(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII),
        "ca.crt", Pem.encodeCertificates(ca.ca().trustBundle()).getBytes(StandardCharsets.US_ASCII));
  }

  private static X509Certificate leafAt(Path file) throws Exception {
    return Pem.decodeCertificates(Files.readString(file, StandardCharsets.US_ASCII)).get(0);
  }

  @Test
  void write_publishesThroughOneDataLink_withPrivateKeysAt0600_andRemovesOldGenerations() throws Exception {
    AtomicDirectoryWriter writer = AtomicDirectoryWriter.of(dir);
    Path first = writer.write(identityFiles("one"), Set.of("tls.key"));
    Path second = writer.write(identityFiles("two"), Set.of("tls.key"));

    assertThat(Files.isSymbolicLink(dir.resolve("..data"))).isTrue();
    assertThat(dir.resolve("..data").toRealPath()).isEqualTo(second.toRealPath());
    assertThat(Files.isSymbolicLink(dir.resolve("tls.crt"))).isTrue();
    assertThat(leafAt(dir.resolve("tls.crt")).getSubjectX500Principal().getName()).isEqualTo("CN=two");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(second.resolve("tls.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(second.resolve("tls.crt"))))
        .isEqualTo("rw-r--r--");
    assertThat(first).doesNotExist();
    try (Stream<Path> entries = Files.list(dir)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("..data", second.getFileName().toString(), "tls.crt", "tls.key", "ca.crt");
    }
  }

  @Test
  void write_dropsNamesNoLongerPublished_andRejectsPaths() throws Exception {
    AtomicDirectoryWriter writer = AtomicDirectoryWriter.of(dir);
    writer.write(Map.of("a", new byte[] {1}, "b", new byte[] {2}), Set.of());
    writer.write(Map.of("a", new byte[] {3}), Set.of());
    assertThat(dir.resolve("b")).doesNotExist();
    assertThat(Files.readAllBytes(dir.resolve("a"))).containsExactly(3);
    assertThatThrownBy(() -> writer.write(Map.of("../escape", new byte[] {1}), Set.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> writer.write(Map.of(), Set.of())).isInstanceOf(InvalidRequestException.class);
    assertThat(Files.readAllBytes(dir.resolve("a"))).containsExactly(3);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void fileSource_followsASymlinkSwap_andServesTheNewCertificate(boolean watch) throws Exception {
    AtomicDirectoryWriter writer = AtomicDirectoryWriter.of(dir);
    writer.write(identityFiles("first"), Set.of("tls.key"));
    try (FileIdentitySource source = FileIdentitySource.builder(dir.resolve("tls.crt"), dir.resolve("tls.key"))
        .trustFile(dir.resolve("ca.crt")).pollInterval(java.time.Duration.ofMillis(50)).watch(watch).start();
         TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(source.keyManager(), null), false)) {
      SSLContext client = TlsContexts.sslContext(null, ReloadingX509TrustManager.of(ca.ca().trustBundle()));
      assertThat(server.connect(client).getSubjectX500Principal().getName()).isEqualTo("CN=first");

      writer.write(identityFiles("second"), Set.of("tls.key"));
      await(() -> source.reloads() == 1);
      assertThat(server.connect(client).getSubjectX500Principal().getName()).isEqualTo("CN=second");
      assertThat(source.trustManager().orElseThrow().anchors()).hasSize(1);
    }
  }

  @Test
  void fileSource_followsAnInPlaceRewriteThatKeepsTheInode() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Map<String, byte[]> first = identityFiles("first");
    Files.write(cert, first.get("tls.crt"));
    Files.write(key, first.get("tls.key"));
    Object inode = Files.getAttribute(cert, "unix:ino");
    try (FileIdentitySource source = FileIdentitySource.builder(cert, key)
        .pollInterval(java.time.Duration.ofMillis(50)).watch(false).start()) {
      Map<String, byte[]> second = identityFiles("second");
      Files.write(key, second.get("tls.key"), StandardOpenOption.TRUNCATE_EXISTING);
      Files.write(cert, second.get("tls.crt"), StandardOpenOption.TRUNCATE_EXISTING);
      assertThat(Files.getAttribute(cert, "unix:ino")).isEqualTo(inode);

      await(() -> source.keyManager().currentChain().orElseThrow().get(0).getSubjectX500Principal().getName()
          .equals("CN=second"));
      assertThat(source.reloads()).isEqualTo(1);
    }
  }

  @Test
  void fileSource_halfWrittenPair_isNotServed_untilItIsConsistent() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Map<String, byte[]> first = identityFiles("first");
    Files.write(cert, first.get("tls.crt"));
    Files.write(key, first.get("tls.key"));
    try (FileIdentitySource source = FileIdentitySource.builder(cert, key).watch(false)
        .pollInterval(java.time.Duration.ofSeconds(60)).start()) {
      Map<String, byte[]> second = identityFiles("second");
      Files.write(cert, second.get("tls.crt"));
      assertThat(source.checkNow()).isFalse();
      assertThat(source.lastProblem()).hasValueSatisfying(problem -> assertThat(problem).contains("does not match"));
      assertThat(source.keyManager().currentChain().orElseThrow().get(0).getSubjectX500Principal().getName())
          .isEqualTo("CN=first");

      Files.write(key, second.get("tls.key"));
      assertThat(source.checkNow()).isTrue();
      assertThat(source.lastProblem()).isEmpty();
      assertThat(source.keyManager().currentChain().orElseThrow().get(0).getSubjectX500Principal().getName())
          .isEqualTo("CN=second");
    }
  }

  @Test
  void fileSource_swapBetweenReadingTheCertificateAndTheKey_servesTheNewPair_withoutAFailedCheck() throws Exception {
    AtomicDirectoryWriter writer = AtomicDirectoryWriter.of(dir);
    writer.write(identityFiles("first"), Set.of("tls.key"));
    Map<String, byte[]> second = identityFiles("second");
    java.util.concurrent.atomic.AtomicBoolean swapAfterNextCertificateRead =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    FileBytes swapping = file -> {
      byte[] bytes = Files.readAllBytes(file);
      reads.incrementAndGet();
      if (file.getFileName().toString().equals("tls.crt") && swapAfterNextCertificateRead.compareAndSet(true, false)) {
        writer.write(second, Set.of("tls.key"));
      }
      return bytes;
    };
    try (FileIdentitySource source = FileIdentitySource.builder(dir.resolve("tls.crt"), dir.resolve("tls.key"))
        .trustFile(dir.resolve("ca.crt")).files(swapping).watch(false)
        .pollInterval(java.time.Duration.ofSeconds(60)).start()) {
      reads.set(0);
      assertThat(source.checkNow()).isFalse();
      assertThat(reads).hasValue(3);

      swapAfterNextCertificateRead.set(true);
      assertThat(source.checkNow()).isTrue();

      assertThat(swapAfterNextCertificateRead).isFalse();
      assertThat(source.failures()).isZero();
      assertThat(source.lastProblem()).isEmpty();
      assertThat(source.reloads()).isEqualTo(1);
      assertThat(source.keyManager().currentChain().orElseThrow().get(0).getSubjectX500Principal().getName())
          .isEqualTo("CN=second");
    }
  }

  @Test
  void fileSource_missingFilesAtStart_isATypedError() {
    assertThatThrownBy(() -> FileIdentitySource.builder(dir.resolve("nope.crt"), dir.resolve("nope.key")).start())
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("nope.crt");
  }

  static void await(BooleanSupplier condition) {
    Await.until("the awaited condition", condition);
  }
}
