package io.oneca.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileSystemStoreConcurrencyTest {
  private static final String COUNTER = "counter";

  @TempDir Path dir;
  @TempDir Path logs;
  private final List<FileSystemStore> stores = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    stores.forEach(FileSystemStore::close);
  }

  private FileSystemStore open() {
    FileSystemStore store = FileSystemStore.open(dir);
    stores.add(store);
    return store;
  }

  @Test
  void compareAndSet_sixteenInstancesRaceCreateIfAbsent_exactlyOneWinsEachRound() throws Exception {
    int writers = 16;
    int rounds = 200;
    CyclicBarrier barrier = new CyclicBarrier(writers);
    List<Future<List<CasResult>>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      FileSystemStore store = open();
      byte[] candidate = ("candidate-" + w).getBytes(UTF_8);
      futures.add(threads.submit(() -> {
        List<CasResult> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          barrier.await(30, TimeUnit.SECONDS);
          results.add(store.compareAndSet("race/" + round, Precondition.absent(), candidate).join());
        }
        return results;
      }));
    }
    List<List<CasResult>> byWriter = new ArrayList<>();
    for (Future<List<CasResult>> future : futures) {
      byWriter.add(future.get(100, TimeUnit.SECONDS));
    }

    for (int round = 0; round < rounds; round++) {
      List<Versioned<byte[]>> winners = new ArrayList<>();
      List<Optional<Versioned<byte[]>>> conflicts = new ArrayList<>();
      for (List<CasResult> results : byWriter) {
        CasResult result = results.get(round);
        if (result instanceof CasResult.Applied applied) {
          winners.add(applied.value());
        } else {
          conflicts.add(((CasResult.Conflict) result).current());
        }
      }
      assertThat(winners).as("winners of round %d", round).hasSize(1);
      Versioned<byte[]> winner = winners.get(0);
      assertThat(conflicts).as("conflicts of round %d", round).hasSize(writers - 1).allSatisfy(current -> {
        assertThat(current).isPresent();
        assertThat(current.get().value()).isEqualTo(winner.value());
        assertThat(current.get().version()).isEqualTo(winner.version());
      });
      assertThat(stores.get(0).get("race/" + round).join().orElseThrow().value()).isEqualTo(winner.value());
    }
  }

  @Test
  void compareAndSet_eightThreadsIncrementWithRetry_loseNoUpdate() throws Exception {
    int workers = 8;
    int incrementsEach = 50;
    CyclicBarrier barrier = new CyclicBarrier(workers);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      FileSystemStore store = open();
      futures.add(threads.submit(() -> {
        barrier.await(30, TimeUnit.SECONDS);
        return increment(store, incrementsEach);
      }));
    }
    for (Future<Integer> future : futures) {
      assertThat(future.get(100, TimeUnit.SECONDS)).isEqualTo(incrementsEach);
    }

    assertThat(counterValue(open())).isEqualTo((long) workers * incrementsEach);
  }

  @Test
  void compareAndSet_twoProcessesAndThisJvmIncrement_loseNoUpdate() throws Exception {
    int incrementsEach = 40;
    List<Process> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path output = logs.resolve("child-" + i + ".log");
      outputs.add(output);
      children.add(new ProcessBuilder(javaCommand(), "-cp", testClassPath(), Incrementer.class.getName(),
          dir.toString(), String.valueOf(incrementsEach))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start());
    }
    FileSystemStore store = open();
    Future<Integer> here = threads.submit(() -> increment(store, incrementsEach));

    for (int i = 0; i < children.size(); i++) {
      Process child = children.get(i);
      assertThat(child.waitFor(100, TimeUnit.SECONDS)).as("child exited in time").isTrue();
      assertThat(child.exitValue()).as("child exit code; output:%n%s", Files.readString(outputs.get(i))).isZero();
    }
    assertThat(here.get(100, TimeUnit.SECONDS)).isEqualTo(incrementsEach);

    assertThat(counterValue(store)).isEqualTo(3L * incrementsEach);
  }

  /** Adds 1 to the counter {@code times} times, each a read-modify-write retried on conflict. */
  static int increment(FileSystemStore store, int times) {
    for (int done = 0; done < times; done++) {
      while (true) {
        Optional<Versioned<byte[]>> current = store.get(COUNTER).join();
        long next = current.map(v -> ByteBuffer.wrap(v.value()).getLong()).orElse(0L) + 1;
        byte[] value = ByteBuffer.allocate(8).putLong(next).array();
        Precondition precondition = current.map(v -> Precondition.atVersion(v.version())).orElse(Precondition.absent());
        if (store.compareAndSet(COUNTER, precondition, value).join().applied()) {
          break;
        }
      }
    }
    return times;
  }

  private static long counterValue(FileSystemStore store) {
    return ByteBuffer.wrap(store.get(COUNTER).join().orElseThrow().value()).getLong();
  }

  private static String javaCommand() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** Runs in a child JVM: increments the counter in the store directory given as first argument. */
  static final class Incrementer {
    private Incrementer() {}

    public static void main(String[] args) {
      try (FileSystemStore store = FileSystemStore.open(Path.of(args[0]))) {
        increment(store, Integer.parseInt(args[1]));
      }
    }
  }
}
