package io.oneca.benchmarks.join;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.oneca.api.Pem;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.server.CloudCoreReplica;
import io.oneca.samples.cloudcore.server.ReplicaSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Serves the CloudCore sample's join endpoint for {@link SigningLoadDriver}: one sample replica
 * ({@code CloudCoreReplica}: its public HTTPS listener on 127.0.0.1 with its own thread pool and
 * OneCA-issued identity, {@code JoinHandler} with the replica's settings, audit line per request at
 * INFO like {@code cfssl serve} as shipped) on an in-memory store: a join stores nothing, so the store
 * is not on the measured path.
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*' \
 *     io.oneca.benchmarks.join.JoinEndpointServer DIR [PORT]
 * </pre>
 * writes {@code DIR/join-token.key} (the token key, mode 0600), {@code DIR/ca-bundle.pem} (what the
 * driver trusts) and, last, {@code DIR/url} ({@code https://127.0.0.1:PORT}) once it serves; runs
 * until killed. PORT 0 (the default) picks a free port.
 * Sets {@code sun.net.httpserver.nodelay=true} unless given (see {@link #main}), and installs ACCP as
 * the first JCA provider unless {@code -Doneca.join.accp=false}.
 */
public final class JoinEndpointServer implements AutoCloseable {
  private final InMemoryStore store;
  private final CloudCoreReplica replica;
  private final URI url;

  private JoinEndpointServer(Path dir, int port) throws IOException {
    store = InMemoryStore.create();
    JoinTokens.generateKeyFile(dir.resolve("join-token.key"));
    Path kek = dir.resolve("kek.bin");
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Files.write(kek, key);
    Files.setPosixFilePermissions(kek, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    // The sample's replica itself: the join endpoint on its public listener, with its thread pool.
    replica = CloudCoreReplica.start(ReplicaSettings.builder("bench-replica").store(store).kekFile(kek)
        .tokenKeyFile(dir.resolve("join-token.key")).joinPort(port).build());
    Files.writeString(dir.resolve("ca-bundle.pem"), replica.oneCa().ca().trustBundlePem());
    url = URI.create("https://127.0.0.1:" + replica.publicAddress().getPort());
  }

  /**
   * Starts the endpoint.
   *
   * @param dir an existing directory without {@code join-token.key}
   * @param port 0 for a free port
   * @param threads request threads
   * @return the running endpoint; close it to stop
   */
  public static JoinEndpointServer start(Path dir, int port) throws IOException {
    return new JoinEndpointServer(dir, port);
  }

  /** Returns {@code https://127.0.0.1:PORT}. */
  public URI url() {
    return url;
  }

  /** Returns the CA bundle the driver must trust, as PEM. */
  public String caBundlePem() {
    return Pem.encodeCertificates(replica.oneCa().ca().trustBundle());
  }

  @Override
  public void close() {
    replica.close();
    store.close();
  }

  /**
   * Installs AmazonCorrettoCryptoProvider as the first JCA provider when it loads (unless
   * {@code -Doneca.join.accp=false}): what a deployment that wants OneCA's fast path does, and what
   * lets the join rules' CSR check and TLS use it, not only OneCA's issuance.
   */
  private static String installCorretto() {
    if (!Boolean.parseBoolean(System.getProperty("oneca.join.accp", "true"))) {
      return "ACCP not installed: -Doneca.join.accp=false";
    }
    AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
    if (accp.getLoadingError() != null) {
      return "ACCP unavailable: " + accp.getLoadingError();
    }
    AmazonCorrettoCryptoProvider.install();
    return "ACCP " + accp.getVersionStr() + " installed as the first JCA provider";
  }

  /** Runs the endpoint until the process is killed (see the class comment). */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: JoinEndpointServer DIR [PORT]");
      System.exit(2);
    }
    // The JDK HttpServer writes headers and body in separate segments; with Nagle's algorithm on,
    // the client's delayed ACK then holds every response ~40 ms. Real servers set this too.
    System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    String accp = installCorretto();
    Path dir = Path.of(args[0]);
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    JoinEndpointServer endpoint = start(dir, port);
    Path urlFile = dir.resolve("url");
    Files.writeString(dir.resolve("url.tmp"), endpoint.url() + "\n");
    Files.move(dir.resolve("url.tmp"), urlFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("join endpoint ready on " + endpoint.url() + " (" + accp + ")");
    new CountDownLatch(1).await();
  }
}
