package io.oneca.core.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;

/** An executor that only queues; the test decides when, and in which order, tasks run. */
final class ManualExecutor implements Executor {
  private final List<Runnable> queue = new ArrayList<>();

  @Override
  public synchronized void execute(Runnable task) {
    queue.add(task);
  }

  synchronized int pending() {
    return queue.size();
  }

  /** Runs queued tasks (and the tasks they queue) until none is left; bounded. */
  void runAll() {
    for (int i = 0; i < 1_000_000; i++) {
      Runnable next;
      synchronized (this) {
        if (queue.isEmpty()) {
          return;
        }
        next = queue.remove(0);
      }
      next.run();
    }
    throw new AssertionError("tasks keep queueing tasks");
  }

  /** Runs one queued task chosen by {@code random}; returns false if none was queued. */
  boolean runOne(Random random) {
    Runnable next;
    synchronized (this) {
      if (queue.isEmpty()) {
        return false;
      }
      next = queue.remove(random.nextInt(queue.size()));
    }
    next.run();
    return true;
  }
}
