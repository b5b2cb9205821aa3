package io.oneca.core.hygiene;

import io.oneca.api.CertificateRequest;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.Pem;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.api.store.Versioned;
import io.oneca.core.OneCa;
import io.oneca.core.OneCaBuilder;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.PemKeys;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.crypto.TestPki;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.policy.IssuancePolicy;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.security.KeyReencryption;
import io.oneca.core.store.FileSystemStore;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs OneCA's main scenarios in a fresh JVM whose SLF4J logs everything (TRACE) to a file, and
 * writes every secret it used to {@code secrets.txt} (name, then base64) for {@link LogHygieneTest}
 * to look for. Every failure a scenario provokes is logged with its stack trace, as an application
 * would. With {@code --leak} it also logs one secret on purpose: the control that proves the
 * check can fail.
 */
public final class LogHygieneScenarios {
  private static final Logger LOG = LoggerFactory.getLogger("app");

  private LogHygieneScenarios() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    boolean leak = args.length > 1 && args[1].equals("--leak");
    SecureRandom random = new SecureRandom();
    byte[] kekA = new byte[32];
    byte[] kekB = new byte[32];
    random.nextBytes(kekA);
    random.nextBytes(kekB);
    Path kekFile = Files.write(dir.resolve("kek-a.bin"), Base64.getEncoder().encode(kekA));
    KeyEncryptionKey a = KeyEncryptionKeys.fromFile(kekFile);
    KeyEncryptionKey b = KeyEncryptionKeys.ofBytes(kekB);
    CaMaterial imported = new CaGenerator(Providers.bouncyCastle(), random)
        .generate(new CaSpec("CN=imported", KeyAlgorithm.EC_P256, Duration.ofDays(30), 0), Instant.now());
    KeyPair leafKey = TestPki.keyPair(KeyAlgorithm.EC_P256);

    try (PrintWriter secrets = new PrintWriter(Files.newBufferedWriter(dir.resolve("secrets.txt"), StandardCharsets.US_ASCII));
        FileSystemStore store = FileSystemStore.open(dir.resolve("store"))) {
      secret(secrets, "kek-a", kekA);
      secret(secrets, "kek-b", kekB);
      secret(secrets, "imported-ca-key", imported.privateKey().getEncoded());
      secret(secrets, "leaf-key", leafKey.getPrivate().getEncoded());

      step("bootstrap create and adopt", () -> {
        try (OneCa first = OneCa.builder().store(store).keyEncryptionKey(a).replicaId("r1").build();
            OneCa second = OneCa.builder().store(store).keyEncryptionKey(a).replicaId("r2").build()) {
          first.start();
          second.start();
          first.issue(CertificateRequest.fromCsr(TestPki.csr("CN=node", leafKey,
              new GeneralName(GeneralName.dNSName, "node.example.com"))).build(), "node-1");
          first.issue(CertificateRequest.fromPublicKey(leafKey.getPublic()).dnsName("pk.example.com").build());
        }
      });
      Versioned<byte[]> created = store.get(OneCaBuilder.DEFAULT_CA_KEY).join().orElseThrow();
      secret(secrets, "generated-ca-key", new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(a, List.of(), false))
          .decode(created, store.backend()).active().privateKey().getEncoded());
      secrets.flush();

      step("issuance rejections", () -> {
        try (OneCa oneCa = OneCa.builder().store(store).keyEncryptionKey(a)
            .issuancePolicy(IssuancePolicy.builder().allowedDnsNames(".example.com").build()).build()) {
          oneCa.start();
          expectFailure(() -> oneCa.issue(CertificateRequest.fromPublicKey(leafKey.getPublic()).dnsName("evil.example.net").build()));
          ExtensionsGenerator ca = new ExtensionsGenerator();
          ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          byte[] csr = TestPki.csr("CN=sneaky", leafKey, null, ca);
          expectFailure(() -> oneCa.issue(CertificateRequest.fromCsr(csr).build(), "sneaky-node"));
        }
      });
      step("import, then a different CA already stored", () -> {
        String keyPem = PemKeys.encodePkcs8(imported.privateKey());
        try (OneCa importer = OneCa.builder().store(store).caKey("import/ca").keyEncryptionKey(a)
            .importCa(Pem.encodeCertificates(imported.chain()), keyPem).build()) {
          importer.start();
        }
        try (OneCa late = OneCa.builder().store(store).keyEncryptionKey(a)
            .importCa(Pem.encodeCertificates(imported.chain()), keyPem).build()) {
          late.start();
        }
        expectFailure(() -> OneCa.builder().store(store).caKey("broken/ca").keyEncryptionKey(a)
            .importCa(Pem.encodeCertificates(imported.chain()), keyPem.substring(0, keyPem.length() - 40)).build());
      });
      step("key-encryption key errors", () -> {
        expectFailure(() -> {
          try (OneCa wrong = OneCa.builder().store(store).keyEncryptionKey(b).build()) {
            wrong.start();
          }
        });
        expectFailure(() -> {
          try (OneCa none = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
            none.start();
          }
        });
        Path shortFile = Files.write(dir.resolve("short.b64"), Base64.getEncoder().encode(java.util.Arrays.copyOf(kekA, 31)));
        expectFailure(() -> KeyEncryptionKeys.fromFile(shortFile));
        Path garbled = Files.writeString(dir.resolve("garbled.b64"), "!" + Base64.getEncoder().encodeToString(kekA));
        expectFailure(() -> KeyEncryptionKeys.fromFile(garbled));
      });
      step("re-encryption and plaintext migration", () -> {
        KeyReencryption.reencrypt(store, OneCaBuilder.DEFAULT_CA_KEY, b, List.of(a));
        try (OneCa legacy = OneCa.builder().store(store).caKey("legacy/ca").allowPlaintextCaKey().build()) {
          legacy.start();
        }
        secret(secrets, "legacy-ca-key", new CaRecordCodec(Providers.bouncyCastle())
            .decode(store.get("legacy/ca").join().orElseThrow(), store.backend()).active().privateKey().getEncoded());
        KeyReencryption.reencrypt(store, "legacy/ca", a, List.of());
        try (OneCa after = OneCa.builder().store(store).keyEncryptionKey(b).build()) {
          after.start();
        }
      });
      if (leak) {
        LOG.debug("test-only leak of the key-encryption key: {}", Base64.getEncoder().encodeToString(kekB));
      }
    }
    System.out.println("SCENARIOS DONE");
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void step(String name, Step step) {
    LOG.info("scenario: {}", name);
    try {
      step.run();
    } catch (Exception e) {
      LOG.error("scenario '{}' failed unexpectedly", name, e);
      throw new IllegalStateException("scenario '" + name + "' failed", e);
    }
  }

  private static void expectFailure(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.error("operation failed as expected", e);
      return;
    }
    throw new IllegalStateException("expected a failure");
  }

  private static void secret(PrintWriter out, String name, byte[] value) {
    out.println(name + " " + Base64.getEncoder().encodeToString(value));
  }
}
