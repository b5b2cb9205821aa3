package io.oneca.samples.demo;

import io.oneca.api.BootstrapResult;
import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.core.OneCa;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.store.FileSystemStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * One replica process of the demo: waits for the shared start instant, bootstraps the CA on the
 * shared file store, issues itself a serving certificate, and reports on stdout in lines the
 * {@link BootstrapDemo} parent reads.
 */
public final class DemoReplica {
  private DemoReplica() {}

  /** The demo's key-encryption key file: {@code kek.bin} next to the store directory. */
  static Path kekFile(Path storeDir) {
    return storeDir.toAbsolutePath().getParent().resolve("kek.bin");
  }

  /**
   * Creates the demo's key-encryption key (32 random bytes, owner-only) unless it exists. A real
   * deployment mounts it from a secret manager instead; the store then never holds the CA key in clear.
   */
  static void ensureKeyEncryptionKey(Path runDir) throws IOException {
    Path file = runDir.resolve("kek.bin");
    if (Files.exists(file)) {
      return;
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Runs the replica.
   *
   * @param args store directory, replica id, start instant in epoch milliseconds
   * @throws Exception on failure; the parent reports it
   */
  public static void main(String[] args) throws Exception {
    Path storeDir = Path.of(args[0]);
    String replicaId = args[1];
    Instant startAt = Instant.ofEpochMilli(Long.parseLong(args[2]));
    try (FileSystemStore store = FileSystemStore.open(storeDir);
        OneCa oneCa = OneCa.builder().store(store).replicaId(replicaId).caSubject("CN=OneCA Demo Root CA")
            .keyEncryptionKey(KeyEncryptionKeys.fromFile(kekFile(storeDir))).build()) {
      System.out.println("READY " + replicaId);
      long waitMillis = Duration.between(Instant.now(), startAt).toMillis();
      if (waitMillis > 0) {
        Thread.sleep(waitMillis);
      }
      long began = System.nanoTime();
      BootstrapResult result = oneCa.start();
      long tookMicros = (System.nanoTime() - began) / 1_000;

      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      IssuedCertificate serving = oneCa.issue(CertificateRequest.fromPublicKey(generator.generateKeyPair().getPublic())
          .commonName(replicaId)
          .dnsName(replicaId + ".cloudcore.local")
          .profile(CertificateProfile.SERVER_AND_CLIENT)
          .build());
      serving.certificate().verify(result.ca().certificate().getPublicKey());

      System.out.println("RESULT " + replicaId + " " + result.outcome() + " " + result.ca().fingerprint().sha256Hex()
          + " " + result.ca().storeVersion() + " " + result.attempts() + " " + tookMicros + " "
          + serving.serialNumber().toString(16));
    }
  }
}
