package io.oneca.benchmarks.reload;

import io.oneca.api.Fingerprint;
import io.oneca.api.KeyAlgorithm;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.api.store.VersionedStore;
import io.oneca.backend.etcd.EtcdStore;
import io.oneca.benchmarks.Stats;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import io.oneca.core.internal.crypto.CaGenerator;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.CaSpec;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.api.security.KeyEncryptionKey;
import io.oneca.core.internal.record.CaKeyProtection;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.security.KeyEncryptionKeys;
import io.oneca.core.store.FileSystemStore;
import io.oneca.core.store.InMemoryStore;
import io.oneca.testkit.etcd.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Store change until every replica serves new material: N replicas (each a {@link OneCa} with its
 * own store client and a {@link ManagedIdentity}) follow one store; the driver writes a new CA
 * record and measures the time until every replica's identity has been re-issued from it, i.e. until
 * the key managers of all N serve a certificate from the new CA. Repeats for R rounds.
 *
 * <p>Usage: {@code PropagationDriver [--store memory|file|etcd] [--replicas N] [--rounds R] [--poll-millis P]
 * [--via write|rotation]}. {@code etcd} starts a single local etcd (Debian {@code etcd}) on a free
 * loopback port. {@code --via write} (the default) replaces the record from outside, as an operator
 * or a restore would, and measures pure propagation; {@code --via rotation} has replica 0 force a
 * rotation through the public API, so the time also includes generating the new CA and its
 * compare-and-set.
 */
public final class PropagationDriver {

  /** The measured rounds, in milliseconds until the last replica served the new CA. */
  public record Result(String store, int replicas, Stats millis) {}

  private PropagationDriver() {}

  public static void main(String[] args) throws Exception {
    String store = "memory";
    int replicas = 8;
    int rounds = 50;
    long pollMillis = 50;
    String via = "write";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--store" -> store = args[++i];
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--poll-millis" -> pollMillis = Long.parseLong(args[++i]);
        case "--via" -> via = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Result result = run(store, replicas, rounds, pollMillis, via.equals("rotation"));
    System.out.printf("%s -> all %d replicas serve the new CA (%s store): %s%n",
        via.equals("rotation") ? "forced rotation" : "store change", result.replicas(), result.store(),
        result.millis().format(" ms"));
  }

  /** Runs the measurement and returns its figures. */
  public static Result run(String storeKind, int replicas, int rounds, long pollMillis) throws Exception {
    return run(storeKind, replicas, rounds, pollMillis, false);
  }

  /** Runs the measurement; with {@code viaRotation}, replica 0 forces each rotation through the public API. */
  public static Result run(String storeKind, int replicas, int rounds, long pollMillis, boolean viaRotation)
      throws Exception {
    Path dir = null;
    AutoCloseable server = null;
    byte[] kekBytes = new byte[32];
    new SecureRandom().nextBytes(kekBytes);
    KeyEncryptionKey kek = KeyEncryptionKeys.ofBytes(kekBytes);
    VersionedStore writer;
    Supplier<VersionedStore> clients;
    List<AutoCloseable> resources = new ArrayList<>();
    if (storeKind.equals("memory")) {
      InMemoryStore memory = InMemoryStore.create();
      writer = memory;
      clients = memory::newClient;
    } else if (storeKind.equals("file")) {
      Path directory = Files.createTempDirectory("oneca-propagation");
      dir = directory;
      writer = FileSystemStore.builder(directory).pollInterval(Duration.ofMillis(pollMillis)).fsync(false).build();
      clients = () -> FileSystemStore.builder(directory).pollInterval(Duration.ofMillis(pollMillis)).fsync(false)
          .build();
    } else if (storeKind.equals("etcd")) {
      EtcdCluster etcd = EtcdCluster.start(1);
      server = etcd;
      List<String> endpoints = etcd.clientEndpoints();
      writer = EtcdStore.builder().endpoints(endpoints).build();
      clients = () -> EtcdStore.builder().endpoints(endpoints).build();
    } else {
      throw new IllegalArgumentException("--store must be memory, file or etcd, was " + storeKind);
    }
    resources.add(writer);
    try {
      List<ManagedIdentity> identities = new ArrayList<>();
      List<OneCa> oneCas = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        VersionedStore client = clients.get();
        resources.add(client);
        OneCa oneCa = OneCa.builder().keyEncryptionKey(kek).store(client).replicaId("replica-" + i).resyncInterval(Duration.ofSeconds(5))
            .build();
        resources.add(0, oneCa);
        oneCa.start();
        oneCas.add(oneCa);
        identities.add(oneCa.identity(IdentitySpec.builder("server").build()));
      }
      CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle(), CaKeyProtection.encrypted(kek, List.of(), false));
      CaGenerator generator = new CaGenerator(Providers.bouncyCastle(), new SecureRandom());
      List<Double> samples = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        CaMaterial next = generator.generate(new CaSpec("CN=Round " + round, KeyAlgorithm.EC_P256,
            Duration.ofDays(30), 0), Instant.now());
        Fingerprint previous = oneCas.get(0).ca().fingerprint();
        CountDownLatch served = new CountDownLatch(replicas);
        List<AutoCloseable> listeners = new ArrayList<>();
        for (ManagedIdentity identity : identities) {
          listeners.add(identity.onRenewal(snapshot -> {
            if (!snapshot.caFingerprint().equals(previous)) {
              served.countDown();
            }
          }));
        }
        long start;
        if (viaRotation) {
          start = System.nanoTime();
          if (!oneCas.get(0).rotation().force(previous, false).get(30, TimeUnit.SECONDS).applied()) {
            throw new IllegalStateException("the driver's rotation lost a race");
          }
        } else {
          // A successor that retires the current CA, as an operator's replacement must be since CA lineage
          // (an unrelated CA written over the record is refused by every replica).
          Versioned<byte[]> current = writer.get("oneca/ca").get().orElseThrow();
          CaRecord successor = io.oneca.core.internal.record.RotationTransitions.force(codec.decode(current, "driver"),
              next, java.util.Optional.empty(), false, Instant.now(), Instant.now().plus(Duration.ofDays(1))).record();
          byte[] encoded = codec.encode(successor, "oneca/ca");
          start = System.nanoTime();
          CasResult result = writer.compareAndSet("oneca/ca", Precondition.atVersion(current.version()), encoded).get();
          if (!(result instanceof CasResult.Applied)) {
            throw new IllegalStateException("the driver's write lost a race: " + result);
          }
        }
        if (!served.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("round " + round + ": only " + (replicas - served.getCount()) + " of "
              + replicas + " replicas served the new CA within 30 s");
        }
        samples.add((System.nanoTime() - start) / 1e6);
        for (AutoCloseable listener : listeners) {
          listener.close();
        }
      }
      return new Result(storeKind, replicas, Stats.of(samples));
    } finally {
      for (AutoCloseable resource : resources) {
        resource.close();
      }
      if (server != null) {
        server.close();
      }
      if (dir != null) {
        try (var paths = Files.walk(dir)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
    }
  }
}
