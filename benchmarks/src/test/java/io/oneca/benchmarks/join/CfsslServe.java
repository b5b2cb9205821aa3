package io.oneca.benchmarks.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oneca.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code cfssl serve} (Debian's golang-cfssl) on a free loopback port, with a fresh ECDSA
 * P-256 CA and the server+client 24 h profile, in a temp dir removed on close. Only the process it
 * started is stopped.
 */
final class CfsslServe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Process process;
  private final int port;

  private CfsslServe(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  static CfsslServe start() throws Exception {
    Path dir = Files.createTempDirectory("cfssl-it");
    try {
      Files.writeString(dir.resolve("ca-csr.json"),
          "{\"CN\":\"OneCA IT cfssl CA\",\"key\":{\"algo\":\"ecdsa\",\"size\":256}}");
      Files.writeString(dir.resolve("config.json"), "{\"signing\":{\"default\":{\"expiry\":\"24h\","
          + "\"usages\":[\"digital signature\",\"server auth\",\"client auth\"]}}}");
      Process gencert = new ProcessBuilder(cfssl(), "gencert", "-initca", "ca-csr.json").directory(dir.toFile())
          .redirectError(dir.resolve("gencert.log").toFile()).start();
      byte[] out = gencert.getInputStream().readAllBytes();
      if (!gencert.waitFor(20, TimeUnit.SECONDS) || gencert.exitValue() != 0) {
        gencert.destroyForcibly();
        throw new IllegalStateException("cfssl gencert -initca failed: " + Files.readString(dir.resolve("gencert.log")));
      }
      JsonNode ca = JSON.readTree(out);
      Files.writeString(dir.resolve("ca.pem"), ca.path("cert").asText());
      Files.writeString(dir.resolve("ca-key.pem"), ca.path("key").asText());
      IllegalStateException failure = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = freePort();
        Process serve = new ProcessBuilder(cfssl(), "serve", "-loglevel", "2", "-address", "127.0.0.1",
            "-port", String.valueOf(port), "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json")
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile())
            .start();
        try {
          Await.until("cfssl serve listening on 127.0.0.1:" + port, Duration.ofSeconds(15),
              () -> !serve.isAlive() || listening(port));
        } catch (AssertionError | RuntimeException e) {
          serve.destroyForcibly();
          throw e;
        }
        if (serve.isAlive()) {
          return new CfsslServe(dir, serve, port);
        }
        failure = new IllegalStateException("cfssl serve exited on port " + port + ": "
            + Files.readString(dir.resolve("serve.log"), StandardCharsets.UTF_8));
      }
      throw failure;
    } catch (Exception | Error e) {
      delete(dir);
      throw e;
    }
  }

  private static String cfssl() {
    for (String path : List.of("/usr/bin/cfssl", "/usr/local/bin/cfssl")) {
      if (Files.isExecutable(Path.of(path))) {
        return path;
      }
    }
    throw new IllegalStateException("cfssl is not installed: this test drives a real cfssl serve; "
        + "install it with: apt-get install -y golang-cfssl (scripts/test does so when run as root)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    delete(dir);
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
