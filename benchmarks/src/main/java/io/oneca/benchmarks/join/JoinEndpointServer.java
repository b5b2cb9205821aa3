package io.oneca.benchmarks.join;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.oneca.api.Pem;
import io.oneca.core.IdentitySpec;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.samples.cloudcore.join.JoinAudit;
import io.oneca.samples.cloudcore.join.JoinHandler;
import io.oneca.samples.cloudcore.join.JoinSettings;
import io.oneca.samples.cloudcore.join.JoinTokens;
import io.oneca.samples.cloudcore.join.TokenRevocations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the CloudCore sample's join endpoint alone, for {@link SigningLoadDriver}: one OneCA replica
 * (ECDSA P-256 CA on an in-memory store: a join stores nothing, so the store is not on the measured
 * path), an {@code HttpsServer} on 127.0.0.1 with a OneCA-issued identity, and {@link JoinHandler}
 * with its defaults (audit line per request at INFO, like {@code cfssl serve} as shipped).
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*' \
 *     io.oneca.benchmarks.join.JoinEndpointServer DIR [PORT] [THREADS]
 * </pre>
 * writes {@code DIR/join-token.key} (the token key, mode 0600), {@code DIR/ca-bundle.pem} (what the
 * driver trusts) and, last, {@code DIR/url} ({@code https://127.0.0.1:PORT}) once it serves; runs
 * until killed. PORT 0 (the default) picks a free port; THREADS (default: 2 per core) serve requests.
 * Sets {@code sun.net.httpserver.nodelay=true} unless given (see {@link #main}), and installs ACCP as
 * the first JCA provider unless {@code -Doneca.join.accp=false}.
 */
public final class JoinEndpointServer implements AutoCloseable {
  private final InMemoryStore store;
  private final OneCa oneCa;
  private final TokenRevocations revocations;
  private final ExecutorService threads;
  private final HttpsServer server;
  private final URI url;

  private JoinEndpointServer(Path dir, int port, int threadCount) throws IOException {
    store = InMemoryStore.create();
    oneCa = OneCa.builder().store(store).caKey("cloudcore/ca").allowPlaintextCaKey().build();
    oneCa.start();
    JoinTokens tokens = JoinTokens.generateKeyFile(dir.resolve("join-token.key"));
    Files.writeString(dir.resolve("ca-bundle.pem"), oneCa.ca().trustBundlePem());
    threads = Executors.newFixedThreadPool(threadCount);
    revocations = TokenRevocations.start(store, TokenRevocations.DEFAULT_KEY, threads);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.setHttpsConfigurator(new HttpsConfigurator(
        oneCa.identity(IdentitySpec.builder("join-endpoint").ipAddress("127.0.0.1").build()).sslContext()));
    server.createContext(JoinHandler.PATH,
        new JoinHandler(oneCa, tokens, revocations, JoinAudit.create(), JoinSettings.defaults()));
    server.setExecutor(threads);
    server.start();
    url = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Starts the endpoint.
   *
   * @param dir an existing directory without {@code join-token.key}
   * @param port 0 for a free port
   * @param threads request threads
   * @return the running endpoint; close it to stop
   */
  public static JoinEndpointServer start(Path dir, int port, int threads) throws IOException {
    return new JoinEndpointServer(dir, port, threads);
  }

  /** Returns {@code https://127.0.0.1:PORT}. */
  public URI url() {
    return url;
  }

  /** Returns the CA bundle the driver must trust, as PEM. */
  public String caBundlePem() {
    return Pem.encodeCertificates(oneCa.ca().trustBundle());
  }

  @Override
  public void close() {
    server.stop(0);
    revocations.close();
    oneCa.close();
    store.close();
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: JoinEndpointServer DIR [PORT] [THREADS]");
      System.exit(2);
    }
    // The JDK HttpServer writes headers and body in separate segments; with Nagle's algorithm on,
    // the client's delayed ACK then holds every response ~40 ms. Real servers set this too.
    System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    String accp = installCorretto();
    Path dir = Path.of(args[0]);
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int threadCount = args.length > 2 ? Integer.parseInt(args[2]) : 2 * Runtime.getRuntime().availableProcessors();
    JoinEndpointServer endpoint = start(dir, port, threadCount);
    Path urlFile = dir.resolve("url");
    Files.writeString(dir.resolve("url.tmp"), endpoint.url() + "\n");
    Files.move(dir.resolve("url.tmp"), urlFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("join endpoint ready on " + endpoint.url() + " (" + threadCount + " threads; " + accp + ")");
    new CountDownLatch(1).await();
  }
}
