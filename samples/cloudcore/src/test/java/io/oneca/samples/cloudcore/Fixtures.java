package io.oneca.samples.cloudcore;

import io.oneca.api.CertificateProfile;
import io.oneca.api.CertificateRequest;
import io.oneca.api.IssuedCertificate;
import io.oneca.api.Pem;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.OneCa;
import io.oneca.core.files.AtomicDirectoryWriter;
import io.oneca.samples.cloudcore.edge.EdgeSettings;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.samples.cloudcore.server.ReplicaSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Shared test setup: key files, in-process replicas on one store, edge directories. */
public final class Fixtures {
  private Fixtures() {}

  /** Writes a 32-byte key-encryption key (raw) and returns its path. */
  public static Path kekFile(Path dir) throws IOException {
    Path file = dir.resolve("kek.bin");
    if (!Files.exists(file)) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.write(file, key);
    }
    return file;
  }

  /** Writes a join-token HMAC key (base64 of 32 random bytes) and returns its path. */
  public static Path tokenKeyFile(Path dir) throws IOException {
    Path file = dir.resolve("token.key");
    if (!Files.exists(file)) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.writeString(file, Base64.getEncoder().encodeToString(key));
    }
    return file;
  }

  /** Starts {@code n} in-process replicas on one shared store. */
  public static List<CloudCoreReplica> replicas(int n, VersionedStore store, Path dir, Duration heartbeat)
      throws IOException {
    List<CloudCoreReplica> replicas = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      replicas.add(CloudCoreReplica.start(ReplicaSettings.builder("replica-" + i)
          .store(store)
          .kekFile(kekFile(dir))
          .tokenKeyFile(tokenKeyFile(dir))
          .heartbeat(heartbeat)
          .build()));
    }
    return replicas;
  }

  /** Returns the edges' view of the replicas. */
  public static List<ReplicaEndpoint> endpoints(List<CloudCoreReplica> replicas) {
    return replicas.stream()
        .map(r -> new ReplicaEndpoint(r.id(), r.publicAddress(), r.hubAddress()))
        .toList();
  }

  /** Issues a node an identity directly (no join) and publishes it the way an edge does. */
  public static IssuedCertificate provision(OneCa oneCa, String node, Path directory) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    IssuedCertificate issued = oneCa.issue(CertificateRequest.fromPublicKey(keys.getPublic())
        .commonName(node).dnsName(node).profile(CertificateProfile.SERVER_AND_CLIENT).ttl(Duration.ofHours(1)).build());
    AtomicDirectoryWriter.of(directory).write(Map.of(
        "tls.key", Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()).getBytes(StandardCharsets.UTF_8),
        "tls.crt", issued.chainPem().getBytes(StandardCharsets.UTF_8),
        "ca.crt", oneCa.ca().trustBundlePem().getBytes(StandardCharsets.UTF_8)), Set.of("tls.key"));
    return issued;
  }

  /** Edge settings with short timeouts for tests. */
  public static EdgeSettings.Builder edge(String node, Path directory, List<ReplicaEndpoint> replicas) {
    return EdgeSettings.builder(node, directory, replicas)
        .pingInterval(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .requestTimeout(Duration.ofSeconds(5))
        .streamIdleTimeout(Duration.ofSeconds(5));
  }
}
