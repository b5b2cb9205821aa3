package io.oneca.core;

import io.oneca.api.BootstrapResult;
import io.oneca.core.store.FileSystemStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A replica in its own JVM for {@link MultiProcessBootstrapIT}: reads {@code bootstrap <key>} lines
 * from stdin, bootstraps the CA at that key on a shared {@link FileSystemStore} directory, and
 * answers {@code ok <key> <fingerprint> <outcome>} or {@code error <key> <exception>} on stdout.
 */
public final class ProcessReplicaMain {
  private ProcessReplicaMain() {}

  /**
   * Runs the replica.
   *
   * @param args the store directory and the replica id
   * @throws Exception on I/O failure
   */
  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args[0]);
    String replicaId = args[1];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (FileSystemStore store = FileSystemStore.open(directory);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      out.println("ready " + replicaId);
      for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
        String key = line.substring("bootstrap ".length());
        try (OneCa oneCa = OneCa.builder().store(store).allowPlaintextCaKey().caKey(key).replicaId(replicaId).build()) {
          BootstrapResult result = oneCa.start();
          out.println("ok " + key + " " + result.ca().fingerprint().sha256Hex() + " " + result.outcome());
        } catch (RuntimeException e) {
          out.println("error " + key + " " + e.toString().replace('\n', ' '));
        }
      }
    }
  }
}
