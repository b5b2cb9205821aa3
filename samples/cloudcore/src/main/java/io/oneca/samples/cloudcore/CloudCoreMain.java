package io.oneca.samples.cloudcore;

import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.samples.cloudcore.demo.CloudCoreDemo;
import io.oneca.samples.cloudcore.demo.DemoCheck;
import io.oneca.samples.cloudcore.demo.DemoOptions;
import io.oneca.samples.cloudcore.edge.EdgeNode;
import io.oneca.samples.cloudcore.edge.EdgeSettings;
import io.oneca.samples.cloudcore.edge.EdgeStatus;
import io.oneca.samples.cloudcore.edge.ReplicaEndpoint;
import io.oneca.samples.cloudcore.join.JoinToken;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.join.TokenRevocations;
import io.oneca.samples.cloudcore.server.ReplicaProcessMain;
import io.oneca.samples.cloudcore.soak.SoakDriver;
import io.oneca.samples.cloudcore.soak.SoakOptions;
import io.oneca.samples.cloudcore.soak.SoakResult;
import io.oneca.samples.cloudcore.server.ReplicaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;

/**
 * The CloudCore sample's command line ({@code java -jar oneca-cloudcore.jar COMMAND ...}):
 * <ul>
 *   <li>{@code demo [--dir D] [--store URI] [--replicas N] [--edges N]}: the README's demo (the default command);</li>
 *   <li>{@code replica --id ID --store URI --kek-file F --token-key-file F [--bind H] [--join-port P] [--hub-port P]
 *       [--start-at EPOCH_MILLIS] [--identity-ttl 1h] [--edge-ttl 1h]}: one cloud replica;</li>
 *   <li>{@code token-key --out F}: a new join-token HMAC key;</li>
 *   <li>{@code token --token-key-file F --node NAME [--ttl 1h]}: mint a join token (printed on stdout);</li>
 *   <li>{@code revoke --token-key-file F --store URI --token T}: revoke a token on every replica;</li>
 *   <li>{@code soak [--store etcd|zk] [--duration 10m] [--edges 50] [--seed N] [--dir D] [--ping-interval 100ms]}:
 *       the chaos/soak driver (exit 0 only if every end check held);</li>
 *   <li>{@code edge --node NAME --dir D --replica name=host:joinPort:hubPort ... [--token T --ca-pin SHA256]}: one edge node.</li>
 * </ul>
 * Exit codes: 0 success, 1 failure (a demo check failed), 2 bad command line.
 */
public final class CloudCoreMain {
  private CloudCoreMain() {}

  /**
   * Runs a command.
   *
   * @param args the command and its options
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    String command = args.length == 0 || args[0].startsWith("--") ? "demo" : args[0];
    int from = args.length == 0 || args[0].startsWith("--") ? 0 : 1;
    if (!command.equals("replica") && !command.equals("edge")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    try {
      System.exit(switch (command) {
        case "demo" -> demo(Args.parse(args, from, Set.of("dir", "store", "replicas", "edges"), Set.of()));
        case "replica" -> replica(Args.parse(args, from, Set.of("id", "store", "kek-file", "token-key-file", "bind",
            "join-port", "hub-port", "start-at", "identity-ttl", "edge-ttl"), Set.of()));
        case "token-key" -> tokenKey(Args.parse(args, from, Set.of("out"), Set.of()));
        case "token" -> token(Args.parse(args, from, Set.of("token-key-file", "node", "ttl"), Set.of()));
        case "revoke" -> revoke(Args.parse(args, from, Set.of("token-key-file", "store", "token"), Set.of()));
        case "soak" -> soak(Args.parse(args, from, Set.of("store", "duration", "edges", "seed", "dir", "ping-interval"),
            Set.of()));
        case "edge" -> edge(Args.parse(args, from, Set.of("node", "dir", "replica", "token", "ca-pin"), Set.of()));
        default -> throw new Args.UsageException("unknown command " + command
            + "; commands: demo, soak, replica, token-key, token, revoke, edge");
      });
    } catch (Args.UsageException | IllegalArgumentException e) {
      System.err.println("cloudcore: " + e.getMessage());
      System.exit(2);
    }
  }

  private static int demo(Args args) throws Exception {
    Path dir = args.get("dir").map(Path::of).orElse(null);
    if (dir == null) {
      dir = Files.createTempDirectory("oneca-cloudcore-");
    }
    DemoOptions options = new DemoOptions(dir, args.get("store"), args.integer("replicas", 3), args.integer("edges", 5),
        Duration.ofSeconds(2));
    List<DemoCheck> checks = CloudCoreDemo.run(options, System.out);
    return !checks.isEmpty() && checks.stream().allMatch(DemoCheck::passed) ? 0 : 1;
  }

  private static int soak(Args args) throws Exception {
    Path dir = args.get("dir").map(Path::of).orElse(null);
    if (dir == null) {
      dir = Files.createTempDirectory("oneca-soak-");
    }
    SoakOptions.Builder options = SoakOptions.builder(dir)
        .store(SoakOptions.StoreKind.parse(args.get("store").orElse("etcd")))
        .duration(args.duration("duration", Duration.ofMinutes(10)))
        .edges(args.integer("edges", 50))
        .pingInterval(args.duration("ping-interval", Duration.ofMillis(100)));
    if (args.get("seed").isPresent()) {
      options.seed(Long.parseLong(args.get("seed").get()));
    }
    SoakResult result = SoakDriver.run(options.build(), System.out);
    result.print(System.out);
    return result.passed() ? 0 : 1;
  }

  private static int replica(Args args) throws Exception {
    ReplicaSettings settings = ReplicaSettings.builder(args.require("id"))
        .storeUri(args.require("store"))
        .kekFile(Path.of(args.require("kek-file")))
        .tokenKeyFile(Path.of(args.require("token-key-file")))
        .bindHost(args.get("bind").orElse("127.0.0.1"))
        .joinPort(args.integer("join-port", 0))
        .hubPort(args.integer("hub-port", 0))
        .identityTtl(args.duration("identity-ttl", ReplicaSettings.DEFAULT_TTL))
        .edgeTtl(args.duration("edge-ttl", ReplicaSettings.DEFAULT_TTL))
        .build();
    Instant startAt = args.get("start-at").map(s -> Instant.ofEpochMilli(Long.parseLong(s))).orElse(Instant.now());
    ReplicaProcessMain.run(settings, startAt, System.out);
    return 0;
  }

  private static int tokenKey(Args args) throws Exception {
    Path out = Path.of(args.require("out"));
    JoinTokens.generateKeyFile(out);
    System.out.println("wrote a new join-token key to " + out + " (owner-only); give the same file to every replica");
    return 0;
  }

  private static int token(Args args) throws Exception {
    JoinTokens tokens = JoinTokens.fromKeyFile(Path.of(args.require("token-key-file")));
    System.out.println(tokens.mint(args.require("node"), args.duration("ttl", Duration.ofHours(1)), Instant.now()));
    return 0;
  }

  private static int revoke(Args args) throws Exception {
    JoinTokens tokens = JoinTokens.fromKeyFile(Path.of(args.require("token-key-file")));
    // Only a token this key signed can be revoked by it; an expired one needs no revocation.
    JoinToken token = tokens.verify(args.require("token"), Instant.now());
    try (VersionedStore store = Stores.open(args.require("store"));
        TokenRevocations revocations = TokenRevocations.start(store, TokenRevocations.DEFAULT_KEY, ForkJoinPool.commonPool())) {
      revocations.revoke(token);
    }
    System.out.println("revoked token " + token.id() + " of node " + token.nodeName() + " (it expired at "
        + token.expiresAt() + " anyway)");
    return 0;
  }

  private static int edge(Args args) throws Exception {
    List<ReplicaEndpoint> replicas = args.all("replica").stream().map(ReplicaEndpoint::parse).toList();
    if (replicas.isEmpty()) {
      throw new Args.UsageException("at least one --replica name=host:joinPort:hubPort is required");
    }
    EdgeSettings.Builder settings = EdgeSettings.builder(args.require("node"), Path.of(args.require("dir")), replicas);
    Optional<String> token = args.get("token");
    if (token.isPresent()) {
      settings.token(token.get(), Set.copyOf(args.all("ca-pin")));
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (EdgeNode edge = EdgeNode.start(settings.build())) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      while (!stop.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
        EdgeStatus s = edge.status();
        System.out.println("edge " + s.node() + " stream=" + s.streamReplica().orElse("-") + " serial=" + s.serial()
            + " issuer=" + s.issuerFingerprint() + " pings=" + s.pingsOk() + " failures=" + s.failures());
      }
    }
    return 0;
  }
}
