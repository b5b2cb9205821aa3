package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.store.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneCaTest {
  private final InMemoryStore store = InMemoryStore.create();

  @TempDir Path tmp;

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void build_withoutStore_saysStoreIsRequired() {
    assertThatThrownBy(() -> OneCa.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store is required");
  }

  @Test
  void builder_settingTwice_saysItWasAlreadySet() {
    OneCaBuilder builder = OneCa.builder().caKey("a/ca");
    assertThatThrownBy(() -> builder.caKey("b/ca"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("caKey was already set");
  }

  @Test
  void builder_invalidSettings_nameTheField() {
    assertThatThrownBy(() -> OneCa.builder().caKey("bad key"))
        .isInstanceOf(InvalidRequestException.class)
        .extracting(e -> ((InvalidRequestException) e).field()).isEqualTo("key");
    assertThatThrownBy(() -> OneCa.builder().caSubject("not a dn"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("caSubject");
    assertThatThrownBy(() -> OneCa.builder().caValidity(Duration.ofMinutes(5)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("caValidity");
  }

  @Test
  void issue_beforeStart_isRefused() throws Exception {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      assertThatThrownBy(() -> oneCa.issue(CertificateRequest.fromPublicKey(ecKey().getPublic()).commonName("x").build()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("start()");
    }
  }

  @Test
  void start_onEmptyStore_createsCaAndStartAgainReturnsTheSameResult() {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().caSubject("CN=Acme Edge CA,O=Acme").build()) {
      BootstrapResult first = oneCa.start();
      BootstrapResult again = oneCa.start();

      assertThat(first.outcome()).isEqualTo(Outcome.CREATED);
      assertThat(again).isEqualTo(first);
      assertThat(first.ca().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=Acme Edge CA,O=Acme");
      assertThat(first.ca().keyAlgorithm()).isEqualTo(KeyAlgorithm.EC_P256);
      assertThat(first.ca().storeKey()).isEqualTo("oneca/ca");
      assertThat(first.ca().storeVersion()).isEqualTo(store.get("oneca/ca").join().orElseThrow().version());
    }
  }

  @Test
  void secondReplica_adoptsTheExistingCa() {
    try (OneCa first = OneCa.builder().store(store).allowPlaintextCaKey().build();
        OneCa second = OneCa.builder().store(store.newClient()).allowPlaintextCaKey().build()) {
      BootstrapResult created = first.start();
      BootstrapResult adopted = second.start();

      assertThat(adopted.outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
      assertThat(adopted.ca().fingerprint()).isEqualTo(created.ca().fingerprint());
    }
  }

  @Test
  void issuedServerCertificate_validatesWithPkixAndOpenssl() throws Exception {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      oneCa.start();
      IssuedCertificate issued = oneCa.issue(CertificateRequest.fromPublicKey(ecKey().getPublic())
          .commonName("cloudcore-0")
          .dnsName("cloudcore-0.example.com")
          .ipAddress("127.0.0.1")
          .profile(CertificateProfile.SERVER_AND_CLIENT)
          .ttl(Duration.ofHours(1))
          .build());

      assertPkixValid(issued.chain(), oneCa.ca().trustBundle().get(0));
      assertThat(issued.caFingerprint()).isEqualTo(oneCa.ca().fingerprint());
      assertThat(issued.caVersion()).isEqualTo(oneCa.ca().storeVersion());
      assertThat(Duration.between(issued.notBefore(), issued.notAfter())).isLessThanOrEqualTo(Duration.ofHours(1).plusMinutes(1));
      assertOpensslVerifies(oneCa.ca().trustBundlePem(), issued.certificatePem(), "sslserver");
      assertOpensslVerifies(oneCa.ca().trustBundlePem(), issued.certificatePem(), "sslclient");
    }
  }

  @Test
  void importCa_intoEmptyStore_isStoredAndUsed() {
    CaMaterial own = generate();
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().importCa(chainPem(own), PemKeys.encodePkcs8(own.privateKey())).build()) {
      BootstrapResult result = oneCa.start();

      assertThat(result.outcome()).isEqualTo(Outcome.IMPORTED);
      assertThat(result.ca().fingerprint()).isEqualTo(own.fingerprint());
    }
    try (OneCa again = OneCa.builder().store(store).allowPlaintextCaKey().importCa(chainPem(own), PemKeys.encodePkcs8(own.privateKey())).build()) {
      assertThat(again.start().outcome()).isEqualTo(Outcome.ADOPTED_EXISTING);
    }
  }

  @Test
  void importCa_whenADifferentCaIsStored_saysSoAndKeepsTheStoredOne() {
    BootstrapResult existing;
    try (OneCa first = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      existing = first.start();
    }
    long versionBefore = store.get("oneca/ca").join().orElseThrow().version();
    CaMaterial own = generate();

    try (OneCa importer = OneCa.builder().store(store).allowPlaintextCaKey().importCa(chainPem(own), PemKeys.encodePkcs8(own.privateKey())).build()) {
      BootstrapResult result = importer.start();

      assertThat(result.outcome()).isEqualTo(Outcome.DIFFERENT_CA_STORED);
      assertThat(importer.ca().fingerprint()).isEqualTo(existing.ca().fingerprint()).isNotEqualTo(own.fingerprint());
    }
    assertThat(store.get("oneca/ca").join().orElseThrow().version()).isEqualTo(versionBefore);
  }

  @Test
  void importCa_thatIsNotACa_isRejectedAtBuild() throws Exception {
    CaMaterial ca = generate();
    KeyPair leafKey = ecKey();
    try (OneCa issuerOneCa = OneCa.builder().store(store).allowPlaintextCaKey().importCa(chainPem(ca), PemKeys.encodePkcs8(ca.privateKey())).build()) {
      issuerOneCa.start();
      IssuedCertificate leaf = issuerOneCa.issue(CertificateRequest.fromPublicKey(leafKey.getPublic()).commonName("leaf").build());

      assertThatThrownBy(() -> OneCa.builder().store(store).allowPlaintextCaKey().importCa(leaf.certificatePem(), PemKeys.encodePkcs8(leafKey.getPrivate())).build())
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("importCa");
    }
    assertThatThrownBy(() -> OneCa.builder().store(store).allowPlaintextCaKey().importCa("garbage", "garbage").build())
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void close_refusesFurtherUseAndShutsDownItsOwnScheduler() throws Exception {
    OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build();
    oneCa.start();
    oneCa.close();
    oneCa.close();

    assertThatThrownBy(oneCa::ca).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(oneCa.startAsync()).isCompletedExceptionally();
    assertThat(store.get("oneca/ca").join()).isPresent();
  }

  private static CaMaterial generate() {
    return new CaGenerator(Providers.bouncyCastle(), new SecureRandom())
        .generate(new CaSpec("CN=Imported CA", KeyAlgorithm.EC_P256, Duration.ofDays(30), 0), Instant.now());
  }

  private static String chainPem(CaMaterial material) {
    return Pem.encodeCertificates(material.chain());
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static void assertPkixValid(List<X509Certificate> chain, X509Certificate anchor) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    parameters.setRevocationEnabled(false);
    List<X509Certificate> path = chain.subList(0, chain.size() - 1);
    CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(path), parameters);
  }

  private void assertOpensslVerifies(String caPem, String leafPem, String purpose) throws IOException, InterruptedException {
    Path ca = Files.writeString(tmp.resolve("ca.pem"), caPem, StandardCharsets.US_ASCII);
    Path leaf = Files.writeString(tmp.resolve("leaf.pem"), leafPem, StandardCharsets.US_ASCII);
    Process process;
    try {
      process = new ProcessBuilder("openssl", "verify", "-x509_strict", "-purpose", purpose,
          "-CAfile", ca.toString(), leaf.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("openssl is needed for this test: apt-get install -y openssl", e);
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("openssl verify did not finish in 30 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains(": OK");
  }
}
