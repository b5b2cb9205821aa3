package io.oneca.testkit.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} that runs on virtual time: nothing runs until a caller drives it
 * ({@link #runNext()}, {@link #runFor(Duration, long)}), and then tasks run one at a time on the caller's
 * thread in virtual-time order, the clock jumping to each task's due time. Tasks due at the same
 * instant run in an order drawn from the seed, so one seed gives one interleaving and another seed
 * another (as a thread pool would), and the same seed always the same one.
 *
 * <p>Besides the executor lane (everything submitted through the {@code ScheduledExecutorService}
 * methods) there is an I/O lane, {@link #io(Duration, Runnable)}, for simulated backends: their
 * replies and deliveries. {@link #inExecutorTask()} tells the two apart, so a test can check that a
 * callback runs on the executor and not on a (simulated) store I/O thread.
 *
 * <p>Thread-safe for submission; for deterministic replay drive it from one thread only. Tests that
 * use real threads (the store contract) start a {@link #startDriver() driver thread} instead.
 * {@code shutdown()} only stops accepting tasks; nothing is ever interrupted.
 */
public final class SimScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  /** The virtual instant a scheduler starts at unless told otherwise. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Instant start;
  private final Random random;
  private final boolean seededTies;
  private final PriorityQueue<SimTask<?>> queue = new PriorityQueue<>();
  private long nowNanos;
  private long sequence;
  private long tasksRun;
  private boolean shutdown;
  // Only the driving thread writes these; read by the same thread.
  private Thread runner;
  private boolean runningExecutorTask;

  /**
   * Creates a scheduler at {@link #DEFAULT_START} whose ties are ordered by {@code seed}.
   *
   * @param seed orders tasks due at the same instant
   */
  public SimScheduler(long seed) {
    this(seed, DEFAULT_START, true);
  }

  /**
   * Creates a scheduler.
   *
   * @param seed orders tasks due at the same instant when {@code seededTies}
   * @param start the virtual instant of time zero
   * @param seededTies {@code true}: ties in seeded random order; {@code false}: first in, first out
   */
  public SimScheduler(long seed, Instant start, boolean seededTies) {
    this.start = Objects.requireNonNull(start, "start");
    this.random = new Random(seed);
    this.seededTies = seededTies;
  }

  /** Returns the virtual time now. */
  public synchronized Instant now() {
    return start.plusNanos(nowNanos);
  }

  /** Returns the virtual time elapsed since the start. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(nowNanos);
  }

  /** Returns how many tasks (both lanes) have run. */
  public synchronized long tasksRun() {
    return tasksRun;
  }

  /** Returns the number of tasks waiting, including cancelled ones not yet removed. */
  public synchronized int pending() {
    return queue.size();
  }

  /** Returns when the next task is due, if any is waiting. */
  public synchronized Optional<Instant> nextDue() {
    SimTask<?> next = queue.peek();
    return next == null ? Optional.empty() : Optional.of(start.plusNanos(next.due));
  }

  /**
   * Returns whether the calling thread is running a task of the executor lane now (and not an I/O
   * lane task, and not outside any task).
   */
  public boolean inExecutorTask() {
    return runner == Thread.currentThread() && runningExecutorTask;
  }

  /** Returns whether the calling thread is running any task of this scheduler now. */
  public boolean inAnyTask() {
    return runner == Thread.currentThread();
  }

  /**
   * Schedules simulated I/O (a store reply, a delivery) on the I/O lane.
   *
   * @param delay how long after now
   * @param task what to run
   */
  public void io(Duration delay, Runnable task) {
    enqueue(new SimTask<>(Executors.callable(task, null), toNanos(delay), 0, false));
  }

  /**
   * Runs the next task, moving the clock to its due time.
   *
   * @return {@code false} if no task was waiting
   */
  public boolean runNext() {
    SimTask<?> task;
    synchronized (this) {
      task = queue.poll();
      if (task == null) {
        return false;
      }
      if (task.due > nowNanos) {
        nowNanos = task.due;
      }
      tasksRun++;
    }
    runTask(task);
    return true;
  }

  /**
   * Runs every task due within {@code duration} from now, then leaves the clock at now +
   * {@code duration}.
   *
   * @param duration how far to move virtual time
   * @param maxTasks a bound on the tasks run, against a livelock
   * @return the number of tasks run
   * @throws IllegalStateException if more than {@code maxTasks} tasks were due
   */
  public long runFor(Duration duration, long maxTasks) {
    long end;
    synchronized (this) {
      end = nowNanos + toNanos(duration);
    }
    long ran = 0;
    while (true) {
      synchronized (this) {
        SimTask<?> next = queue.peek();
        if (next == null || next.due > end) {
          nowNanos = Math.max(nowNanos, end);
          return ran;
        }
      }
      if (++ran > maxTasks) {
        throw new IllegalStateException("more than " + maxTasks + " tasks due within " + duration
            + " of virtual time: a livelock? next due at " + nextDue().orElse(null));
      }
      runNext();
    }
  }

  /**
   * Runs every task due now (including those they schedule for now), without moving the clock.
   *
   * @param maxTasks a bound on the tasks run, against a livelock
   * @return the number of tasks run
   */
  public long runReady(long maxTasks) {
    return runFor(Duration.ZERO, maxTasks);
  }

  /**
   * Starts a daemon thread that runs tasks as soon as they are due, jumping virtual time forward
   * whenever it would otherwise wait: for tests that use real threads. Close it to stop it.
   *
   * @return the driver
   */
  public Driver startDriver() {
    Driver driver = new Driver();
    driver.thread.start();
    return driver;
  }

  /** A thread running a {@link SimScheduler}'s tasks as they come; see {@link #startDriver()}. */
  public final class Driver implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stopped;

    private Driver() {
      thread = new Thread(this::loop, "sim-scheduler-driver");
      thread.setDaemon(true);
    }

    private void loop() {
      while (!stopped) {
        if (!runNext()) {
          synchronized (SimScheduler.this) {
            if (queue.isEmpty() && !stopped) {
              try {
                SimScheduler.this.wait(50);
              } catch (InterruptedException e) {
                return;
              }
            }
          }
        }
      }
    }

    /** Stops the thread after its current task and waits for it. */
    @Override
    public void close() {
      stopped = true;
      synchronized (SimScheduler.this) {
        SimScheduler.this.notifyAll();
      }
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void runTask(SimTask<?> task) {
    Thread previousRunner = runner;
    boolean previousLane = runningExecutorTask;
    runner = Thread.currentThread();
    runningExecutorTask = task.executorLane;
    try {
      task.run();
    } finally {
      runner = previousRunner;
      runningExecutorTask = previousLane;
    }
  }

  private synchronized <V> SimTask<V> enqueue(SimTask<V> task) {
    task.tie = seededTies ? random.nextLong() : 0;
    task.sequence = sequence++;
    task.due = nowNanos + task.delay;
    queue.add(task);
    notifyAll();
    return task;
  }

  private synchronized void requireRunning() {
    if (shutdown) {
      throw new RejectedExecutionException("simulated scheduler is shut down");
    }
  }

  private static long toNanos(Duration duration) {
    if (duration.isNegative()) {
      return 0;
    }
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  // ---- ScheduledExecutorService ----

  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    requireRunning();
    enqueue(new SimTask<>(Executors.callable(command, null), 0, 0, true));
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    requireRunning();
    return enqueue(new SimTask<>(Executors.callable(command, null), Math.max(0, unit.toNanos(delay)), 0, true));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Objects.requireNonNull(callable, "callable");
    requireRunning();
    return enqueue(new SimTask<>(callable, Math.max(0, unit.toNanos(delay)), 0, true));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    requireRunning();
    return enqueue(new SimTask<>(Executors.callable(command, null), Math.max(0, unit.toNanos(initialDelay)),
        unit.toNanos(period), true));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be positive, was " + delay);
    }
    requireRunning();
    return enqueue(new SimTask<>(Executors.callable(command, null), Math.max(0, unit.toNanos(initialDelay)),
        -unit.toNanos(delay), true));
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> dropped = new ArrayList<>(queue);
    queue.clear();
    return dropped;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public String toString() {
    return "SimScheduler[now=" + now() + ", pending=" + pending() + "]";
  }

  /** One task; periodic ones put themselves back after each run. */
  private final class SimTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final long delay;
    /** Positive: fixed rate; negative: fixed delay; zero: once. */
    private final long period;
    private final boolean executorLane;
    private long due;
    private long tie;
    private long sequence;

    SimTask(Callable<V> callable, long delay, long period, boolean executorLane) {
      super(callable);
      this.delay = delay;
      this.period = period;
      this.executorLane = executorLane;
    }

    @Override
    public boolean isPeriodic() {
      return period != 0;
    }

    @Override
    public void run() {
      if (!isPeriodic()) {
        super.run();
        return;
      }
      if (runAndReset()) {
        synchronized (SimScheduler.this) {
          if (shutdown) {
            return;
          }
          due = period > 0 ? due + period : nowNanos - period;
          tie = seededTies ? random.nextLong() : 0;
          sequence = SimScheduler.this.sequence++;
          queue.add(this);
        }
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(false);
      synchronized (SimScheduler.this) {
        queue.remove(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      long remaining;
      synchronized (SimScheduler.this) {
        remaining = due - nowNanos;
      }
      return unit.convert(remaining, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (other == this) {
        return 0;
      }
      if (other instanceof SimTask<?> task) {
        int byDue = Long.compare(due, task.due);
        if (byDue != 0) {
          return byDue;
        }
        int byTie = Long.compare(tie, task.tie);
        return byTie != 0 ? byTie : Long.compare(sequence, task.sequence);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
