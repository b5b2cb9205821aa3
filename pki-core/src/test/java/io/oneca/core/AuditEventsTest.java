package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CertificateRequest;
import io.oneca.api.InvalidRequestException;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.policy.IssuancePolicy;
import io.oneca.core.store.InMemoryStore;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuditEventsTest {
  private final InMemoryStore store = InMemoryStore.create();
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    store.close();
  }

  private OneCaBuilder builder(String replica) {
    return OneCa.builder().store(store.newClient()).allowPlaintextCaKey().replicaId(replica).auditSink(events::add);
  }

  private List<AuditEvent> ofType(AuditEventType type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  @Test
  void bootstrap_createdThenAdoptedExisting_eachAuditedWithFingerprintAndVersion() {
    BootstrapResult created;
    try (OneCa first = builder("r1").build(); OneCa second = builder("r2").build()) {
      created = first.start();
      second.start();
    }

    AuditEvent createdEvent = ofType(AuditEventType.CA_CREATED).get(0);
    assertThat(createdEvent.replicaId()).isEqualTo("r1");
    assertThat(createdEvent.storeKey()).isEqualTo(OneCaBuilder.DEFAULT_CA_KEY);
    assertThat(createdEvent.storeVersion()).isEqualTo(created.ca().storeVersion());
    assertThat(createdEvent.details()).containsEntry("caFingerprint", created.ca().fingerprint().sha256Hex());
    assertThat(ofType(AuditEventType.CA_ADOPTED_EXISTING)).singleElement()
        .satisfies(e -> assertThat(e.replicaId()).isEqualTo("r2"));
  }

  @Test
  void bootstrap_importedThenDifferentCaStored_audited() {
    CaMaterial own = generate("CN=own");
    CaMaterial other = generate("CN=other");
    try (OneCa importer = builder("r1").importCa(Pem.encodeCertificates(own.chain()), PemKeys.encodePkcs8(own.privateKey())).build();
        OneCa late = builder("r2").importCa(Pem.encodeCertificates(other.chain()), PemKeys.encodePkcs8(other.privateKey())).build()) {
      importer.start();
      late.start();
    }

    assertThat(ofType(AuditEventType.CA_IMPORTED)).hasSize(1);
    assertThat(ofType(AuditEventType.CA_IMPORT_DIFFERENT_CA_STORED)).singleElement()
        .satisfies(e -> assertThat(e.details()).containsEntry("caFingerprint", own.fingerprint().sha256Hex()));
  }

  @Test
  void issue_auditsSerialSubjectNamesRequesterAndCa() throws Exception {
    try (OneCa oneCa = builder("r1").build()) {
      oneCa.start();
      IssuedCertificate issued = oneCa.issue(CertificateRequest.fromPublicKey(ecKey().getPublic())
          .dnsName("node-1.example.com").ipAddress("10.0.0.7").uri("spiffe://example.org/node-1").build(), "edge-node-1");

      AuditEvent event = ofType(AuditEventType.CERTIFICATE_ISSUED).get(0);
      assertThat(event.storeVersion()).isEqualTo(issued.caVersion());
      assertThat(event.details())
          .containsEntry("serial", issued.serialNumber().toString(16))
          .containsEntry("subject", "CN=node-1.example.com")
          .containsEntry("subjectAltNames", "DNS:node-1.example.com,IP:10.0.0.7,URI:spiffe://example.org/node-1")
          .containsEntry("requester", "edge-node-1")
          .containsEntry("caFingerprint", issued.caFingerprint().sha256Hex())
          .containsEntry("notAfter", issued.notAfter().toString());
    }
  }

  @Test
  void issue_rejected_auditsFieldAndReason() throws Exception {
    IssuancePolicy policy = IssuancePolicy.builder().allowedDnsNames(".example.com").build();
    try (OneCa oneCa = builder("r1").issuancePolicy(policy).build()) {
      oneCa.start();
      assertThatThrownBy(() -> oneCa.issue(
          CertificateRequest.fromPublicKey(ecKey().getPublic()).dnsName("evil.example.net").build(), "edge-node-2"))
          .isInstanceOf(InvalidRequestException.class);
    }

    assertThat(ofType(AuditEventType.REQUEST_REJECTED)).singleElement().satisfies(e -> assertThat(e.details())
        .containsEntry("field", "subjectAltNames")
        .containsEntry("requester", "edge-node-2")
        .hasEntrySatisfying("reason", reason -> assertThat(reason).contains("evil.example.net")));
    assertThat(ofType(AuditEventType.CERTIFICATE_ISSUED)).isEmpty();
  }

  @Test
  void issue_beforeStart_rejectionAudited() {
    try (OneCa oneCa = builder("r1").build()) {
      assertThatThrownBy(() -> oneCa.issue(CertificateRequest.fromPublicKey(ecKey().getPublic()).dnsName("a.example.com").build()))
          .isInstanceOf(IllegalStateException.class);
    }
    assertThat(ofType(AuditEventType.REQUEST_REJECTED)).singleElement()
        .satisfies(e -> assertThat(e.details()).containsEntry("error", "IllegalStateException"));
  }

  @Test
  void sinkThatThrows_doesNotChangeTheOutcome() throws Exception {
    try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey()
        .auditSink(event -> {
          throw new IllegalStateException("audit backend down");
        }).build()) {
      oneCa.start();
      assertThat(oneCa.issue(CertificateRequest.fromPublicKey(ecKey().getPublic()).dnsName("a.example.com").build()))
          .isNotNull();
    }
  }

  private static CaMaterial generate(String subject) {
    return new CaGenerator(Providers.bouncyCastle(), new SecureRandom())
        .generate(new CaSpec(subject, KeyAlgorithm.EC_P256, Duration.ofDays(30), 0), Instant.now());
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }
}
