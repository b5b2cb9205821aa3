package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.BootstrapResult.Outcome;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecordCodec;
import io.oneca.core.store.FileSystemStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Incident 1 across processes: four JVMs bootstrap at once on one file-store directory, 20 times. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MultiProcessBootstrapIT {
  private static final int PROCESSES = 4;
  private static final int ROUNDS = 20;
  private static final long ANSWER_TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  private final List<Replica> replicas = new ArrayList<>();

  private record Replica(Process process, Writer stdin, BlockingQueue<String> stdout) {}

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Replica replica : replicas) {
      try {
        replica.stdin().write("exit\n");
        replica.stdin().flush();
      } catch (IOException ignored) {
        // The process is gone already.
      }
    }
    for (Replica replica : replicas) {
      if (!replica.process().waitFor(10, TimeUnit.SECONDS)) {
        replica.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void fourProcesses_twentyRounds_allUseTheOneStoredCa() throws Exception {
    Path storeDir = tmp.resolve("store");
    for (int i = 0; i < PROCESSES; i++) {
      replicas.add(start(storeDir, "proc-" + i));
    }
    for (Replica replica : replicas) {
      assertThat(answer(replica)).startsWith("ready ");
    }
    CaRecordCodec codec = new CaRecordCodec(Providers.bouncyCastle());

    try (FileSystemStore reader = FileSystemStore.open(storeDir)) {
      for (int round = 0; round < ROUNDS; round++) {
        String key = "multiprocess/round-" + round;
        for (Replica replica : replicas) {
          replica.stdin().write("bootstrap " + key + "\n");
        }
        for (Replica replica : replicas) {
          replica.stdin().flush();
        }
        Set<String> fingerprints = new HashSet<>();
        int created = 0;
        for (Replica replica : replicas) {
          String[] answer = answer(replica).split(" ");
          assertThat(answer[0]).as(String.join(" ", answer)).isEqualTo("ok");
          assertThat(answer[1]).isEqualTo(key);
          fingerprints.add(answer[2]);
          created += Outcome.valueOf(answer[3]) == Outcome.CREATED ? 1 : 0;
        }
        String stored = codec.decode(reader.get(key).join().orElseThrow(), reader.backend())
            .active().fingerprint().sha256Hex();

        assertThat(fingerprints).as("round %d", round).containsExactly(stored);
        assertThat(created).as("replicas that created the CA in round %d", round).isEqualTo(1);
      }
    }
  }

  private Replica start(Path storeDir, String id) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-cp", System.getProperty("java.class.path"), ProcessReplicaMain.class.getName(), storeDir.toString(), id)
        .redirectError(tmp.resolve(id + ".log").toFile())
        .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("error io " + e);
      }
    }, "stdout-" + id);
    pump.setDaemon(true);
    pump.start();
    return new Replica(process, new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), lines);
  }

  private String answer(Replica replica) throws InterruptedException {
    String line = replica.stdout().poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("replica pid " + replica.process().pid() + " (alive=" + replica.process().isAlive()
          + ") gave no answer within " + ANSWER_TIMEOUT_SECONDS + " s; see its log in " + tmp);
    }
    return line;
  }
}
