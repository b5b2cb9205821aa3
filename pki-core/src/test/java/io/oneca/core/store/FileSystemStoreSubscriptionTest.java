package io.oneca.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.CasResult;
import io.oneca.api.store.KeyScope;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.StoreListener;
import io.oneca.api.store.Subscription;
import io.oneca.api.store.Versioned;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileSystemStoreSubscriptionTest {
  private static final String KEY = "oneca/prod/ca";
  private static final long AWAIT_SECONDS = 10;

  @TempDir Path dir;
  private final List<FileSystemStore> stores = new ArrayList<>();
  private final ExecutorService listeners = Executors.newCachedThreadPool();
  private final ManualPollScheduler manualScheduler = new ManualPollScheduler();

  record Event(String key, Optional<Versioned<byte[]>> state) {
    String text() {
      return state.map(v -> new String(v.value(), UTF_8)).orElse("<absent>");
    }
  }

  @AfterEach
  void tearDown() {
    stores.forEach(FileSystemStore::close);
    listeners.shutdownNow();
    manualScheduler.shutdownNow();
  }

  private FileSystemStore open(Duration pollInterval) {
    FileSystemStore store = FileSystemStore.builder(dir).pollInterval(pollInterval).fsync(false).build();
    stores.add(store);
    return store;
  }

  private FileSystemStore open() {
    return open(Duration.ofMillis(20));
  }

  private Subscription subscribe(FileSystemStore store, KeyScope scope, BlockingQueue<Event> events) {
    StoreListener listener = (key, state) -> events.add(new Event(key, state));
    return store.subscribe(scope, listener, listeners);
  }

  private static Event next(BlockingQueue<Event> events) throws InterruptedException {
    Event event = events.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(event).as("an event within %d s", AWAIT_SECONDS).isNotNull();
    return event;
  }

  private static Versioned<byte[]> write(FileSystemStore store, String key, Precondition precondition, String value) {
    CasResult result = store.compareAndSet(key, precondition, value.getBytes(UTF_8)).join();
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }

  @Test
  void subscribe_existingKey_deliversCurrentStateFirst() throws InterruptedException {
    FileSystemStore store = open();
    Versioned<byte[]> written = write(store, KEY, Precondition.absent(), "v1");
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    subscribe(store, KeyScope.key(KEY), events);

    Event first = next(events);
    assertThat(first.key()).isEqualTo(KEY);
    assertThat(first.text()).isEqualTo("v1");
    assertThat(first.state().orElseThrow().version()).isEqualTo(written.version());
  }

  @Test
  void subscribe_absentKey_deliversEmptyStateFirst() throws InterruptedException {
    FileSystemStore store = open();
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    subscribe(store, KeyScope.key(KEY), events);

    assertThat(next(events).state()).isEmpty();
  }

  @Test
  void subscribe_writeAndDeleteThroughOtherInstance_deliveredByPolling() throws InterruptedException {
    FileSystemStore subscriber = open();
    FileSystemStore writer = open(Duration.ofSeconds(60));
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    subscribe(subscriber, KeyScope.key(KEY), events);
    assertThat(next(events).state()).isEmpty();

    Versioned<byte[]> written = write(writer, KEY, Precondition.absent(), "from-b");
    Event update = next(events);
    writer.delete(KEY, Precondition.atVersion(written.version())).join();
    Event deletion = next(events);

    assertThat(update.text()).isEqualTo("from-b");
    assertThat(update.state().orElseThrow().version()).isEqualTo(written.version());
    assertThat(deletion.key()).isEqualTo(KEY);
    assertThat(deletion.state()).isEmpty();
  }

  @Test
  void subscribe_prefix_seesOtherInstancesCreatesAndDeletes() throws InterruptedException {
    FileSystemStore subscriber = open();
    FileSystemStore writer = open(Duration.ofSeconds(60));
    write(writer, "tenants/a", Precondition.absent(), "a1");
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    subscribe(subscriber, KeyScope.prefix("tenants/"), events);
    assertThat(next(events).text()).isEqualTo("a1");

    Versioned<byte[]> b = write(writer, "tenants/b", Precondition.absent(), "b1");
    Event created = next(events);
    writer.delete("tenants/b", Precondition.atVersion(b.version())).join();
    Event deleted = next(events);

    assertThat(created.key()).isEqualTo("tenants/b");
    assertThat(created.text()).isEqualTo("b1");
    assertThat(deleted.key()).isEqualTo("tenants/b");
    assertThat(deleted.state()).isEmpty();
  }

  @Test
  void subscribe_ownWrite_deliveredWithoutWaitingForPoll() throws InterruptedException {
    FileSystemStore store = open(Duration.ofSeconds(60));
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    subscribe(store, KeyScope.key(KEY), events);
    assertThat(next(events).state()).isEmpty();

    write(store, KEY, Precondition.absent(), "mine");

    assertThat(next(events).text()).isEqualTo("mine");
  }

  @Test
  void closingOneSubscription_doesNotAffectAnotherOnSameKey() throws InterruptedException {
    FileSystemStore subscriber = open();
    FileSystemStore writer = open(Duration.ofSeconds(60));
    BlockingQueue<Event> closedEvents = new LinkedBlockingQueue<>();
    BlockingQueue<Event> openEvents = new LinkedBlockingQueue<>();
    Subscription toClose = subscribe(subscriber, KeyScope.key(KEY), closedEvents);
    Subscription kept = subscribe(subscriber, KeyScope.key(KEY), openEvents);
    assertThat(next(openEvents).state()).isEmpty();

    toClose.close();
    closedEvents.clear();
    write(writer, KEY, Precondition.absent(), "after-close");

    assertThat(next(openEvents).text()).isEqualTo("after-close");
    assertThat(toClose.isClosed()).isTrue();
    assertThat(kept.isClosed()).isFalse();
    assertThat(kept.epoch()).isGreaterThan(toClose.epoch());
    assertThat(closedEvents).isEmpty();
  }

  @Test
  void subscribe_damagedValueRepairedByHand_deliveredByLaterPoll() throws IOException, InterruptedException {
    FileSystemStore writer = open(Duration.ofSeconds(60));
    Versioned<byte[]> written = write(writer, KEY, Precondition.absent(), "good");
    Path file = dir.resolve("keys/oneca+prod+ca");
    byte[] good = Files.readAllBytes(file);
    byte[] damaged = good.clone();
    damaged[damaged.length - 1] ^= 0x01;
    Files.write(file, damaged);
    FileSystemStore subscriber = open();
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    subscribe(subscriber, KeyScope.key(KEY), events);
    Files.write(file, good);

    Event first = next(events);
    assertThat(first.text()).as("no state is delivered while the file is damaged").isEqualTo("good");
    assertThat(first.state().orElseThrow().version()).isEqualTo(written.version());
  }

  @Test
  void subscribe_defaultScheduler_pollsOnDaemonThreadNamedOnecaFsPoll() throws InterruptedException {
    FileSystemStore subscriber = open();
    FileSystemStore writer = open(Duration.ofSeconds(60));
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    subscribe(subscriber, KeyScope.key(KEY), events);
    assertThat(next(events).state()).isEmpty();
    write(writer, KEY, Precondition.absent(), "polled");
    assertThat(next(events).text()).isEqualTo("polled");

    assertThat(Thread.getAllStackTraces().keySet())
        .anySatisfy(t -> {
          assertThat(t.getName()).isEqualTo("oneca-fs-poll");
          assertThat(t.isDaemon()).isTrue();
        });
  }

  @Test
  void poll_foreignWriteBetweenRevisionBumpAndRename_isStillDelivered() throws Exception {
    FileSystemStore subscriber = FileSystemStore.builder(dir).scheduler(manualScheduler).fsync(false).build();
    stores.add(subscriber);
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    subscribe(subscriber, KeyScope.key(KEY), events);
    assertThat(next(events).state()).isEmpty();
    Runnable poll = manualScheduler.pollTask();
    CountDownLatch revisionBumped = new CountDownLatch(1);
    CountDownLatch pollObserved = new CountDownLatch(1);
    FsLock foreignWriter = new FsLock(dir.toRealPath(), "foreign", new FileAttribute<?>[0]);

    Future<?> writer = listeners.submit(() -> foreignWriter.run(KEY, () -> {
      replace(dir.resolve("revision"), FsRecords.encodeRevision(1));
      revisionBumped.countDown();
      awaitQuietly(pollObserved);
      replace(dir.resolve("keys/oneca+prod+ca"), FsRecords.encodeValue(1, "late".getBytes(UTF_8)));
      return null;
    }));
    assertThat(revisionBumped.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Thread poller = new Thread(poll, "test-poll");
    poller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (poller.isAlive() && poller.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    pollObserved.countDown();
    writer.get(AWAIT_SECONDS, TimeUnit.SECONDS);
    poller.join(TimeUnit.SECONDS.toMillis(AWAIT_SECONDS));
    poll.run();

    assertThat(next(events).text()).isEqualTo("late");
  }

  private static void replace(Path target, byte[] content) {
    try {
      Path tmp = Files.write(target.resolveSibling(FsDirectory.TMP_PREFIX + "test"), content);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      assertThat(latch.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Captures the poll task instead of running it, so that the test decides when a poll happens. */
  static final class ManualPollScheduler extends ScheduledThreadPoolExecutor {
    private volatile Runnable pollTask;

    ManualPollScheduler() {
      super(1);
    }

    Runnable pollTask() {
      assertThat(pollTask).as("poll task scheduled").isNotNull();
      return pollTask;
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      pollTask = command;
      return schedule(() -> { }, 1, TimeUnit.DAYS);
    }
  }
}
