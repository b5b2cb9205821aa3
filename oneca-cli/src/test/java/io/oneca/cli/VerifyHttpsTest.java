package io.oneca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oneca.api.store.Stores;
import io.oneca.api.store.VersionedStore;
import io.oneca.core.IdentitySpec;
import io.oneca.core.ManagedIdentity;
import io.oneca.core.OneCa;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --replica-url} against a replica that serves its health over HTTPS with a OneCA
 * identity (as a Spring Boot replica with the starter does): the CLI trusts the store's trust
 * bundle and reads {@code caFingerprint} from the JSON.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VerifyHttpsTest {
  @TempDir
  Path temp;

  @Test
  void replicaUrl_overHttpsTrustedByTheStoresBundle() throws Exception {
    String storeUri = Files.createDirectory(temp.resolve("store")).toUri().toString();
    try (VersionedStore store = Stores.open(storeUri);
        OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().build()) {
      oneCa.start();
      ManagedIdentity identity = oneCa.identity(IdentitySpec.builder("replica").ipAddress("127.0.0.1").build());
      String body = "{\"status\":\"UP\",\"components\":{\"oneca\":{\"status\":\"UP\",\"details\":{\"caFingerprint\":\""
          + oneCa.ca().fingerprint().sha256Hex() + "\"}}}}";
      try (SSLServerSocket server = (SSLServerSocket) identity.sslContext().getServerSocketFactory()
          .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        Thread responder = new Thread(() -> respondOnce(server, body), "replica-health");
        responder.setDaemon(true);
        responder.start();
        String url = "https://127.0.0.1:" + server.getLocalPort() + "/actuator/health";
        CliRun run = CliRun.of("verify", "--store", storeUri, "--json", "--replica-url", "replica-1=" + url);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode replica = run.json().at("/replicas/0");
        assertThat(replica.get("status").asText()).isEqualTo("AGREES");
        assertThat(replica.get("source").asText()).isEqualTo(url);
        responder.join(TimeUnit.SECONDS.toMillis(10));
      }
    }
  }

  /** A minimal HTTP/1.1 responder: one request, one JSON answer. */
  private static void respondOnce(SSLServerSocket server, String body) {
    try (Socket socket = server.accept()) {
      socket.setSoTimeout(10_000);
      BufferedReader request = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
        // Headers are not needed.
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    } catch (java.io.IOException e) {
      // The client's assertion reports the failure.
    }
  }
}
