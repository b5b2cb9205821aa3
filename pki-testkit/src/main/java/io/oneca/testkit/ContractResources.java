package io.oneca.testkit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.oneca.api.store.KeyScope;
import io.oneca.api.store.VersionedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one test of {@link VersionedStoreContract} opened: clients, listener executors and recording
 * listeners. {@link #close()} closes them all and then checks every recorder's promises.
 */
final class ContractResources {
  private final List<VersionedStore> clients = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();
  private final List<RecordingListener> recorders = new ArrayList<>();

  /** A task run by one of several parties; see {@link #runConcurrently}. */
  @FunctionalInterface
  interface PartyTask {
    void run(int party) throws Exception;
  }

  VersionedStore client(VersionedStore client) {
    assertNotNull(client, "openClient() returned null");
    for (VersionedStore earlier : clients) {
      assertNotSame(earlier, client, "openClient() must return a new client each call");
    }
    clients.add(client);
    return client;
  }

  RecordingListener recorder(KeyScope scope) {
    RecordingListener recorder = new RecordingListener(scope);
    recorders.add(recorder);
    return recorder;
  }

  /** Returns a fixed pool of daemon threads named {@code contract-<name>-<n>}. */
  ExecutorService executor(String name, int threads) {
    AtomicInteger count = new AtomicInteger();
    return executor(Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "contract-" + name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }));
  }

  ExecutorService executor(ExecutorService executor) {
    executors.add(executor);
    return executor;
  }

  /** Waits until every task submitted to a single-thread executor before this call has run. */
  static void flush(ExecutorService executor) throws Exception {
    executor.submit(() -> { }).get(StoreAssertions.OPERATION_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Runs {@code task(party)} for each party on its own thread, waits for all within {@code bound},
   * and rethrows the first failure to happen (not the first party's, which may only be a broken
   * barrier caused by another).
   */
  void runConcurrently(int parties, Duration bound, PartyTask task) throws Exception {
    ExecutorService threads = executor("racer", parties);
    CompletionService<Void> completion = new ExecutorCompletionService<>(threads);
    for (int party = 0; party < parties; party++) {
      int p = party;
      completion.submit(() -> {
        task.run(p);
        return null;
      });
    }
    long deadline = System.nanoTime() + bound.toNanos();
    for (int finished = 0; finished < parties; finished++) {
      Future<Void> done = completion.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (done == null) {
        threads.shutdownNow();
        fail(parties - finished + " of " + parties + " parties did not finish within " + bound);
      }
      try {
        done.get();
      } catch (ExecutionException e) {
        threads.shutdownNow();
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e.getCause() instanceof Exception exception ? exception : e;
      }
    }
  }

  /** Closes every client, stops every executor, then checks every recorder. */
  void close() throws InterruptedException {
    for (VersionedStore client : clients) {
      client.close();
    }
    for (ExecutorService executor : executors) {
      executor.shutdownNow();
    }
    for (ExecutorService executor : executors) {
      assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "listener executor did not stop");
    }
    for (RecordingListener recorder : recorders) {
      recorder.assertWellBehaved();
    }
  }
}
