package io.oneca.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.VersionedStore;
import io.oneca.testkit.LockstepReads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LockstepReadsTest {
  private final InMemoryStore storage = InMemoryStore.create();

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void firstReads_areHeldUntilEveryPartyAsked() {
    LockstepReads lockstep = LockstepReads.forParties(2, Duration.ofSeconds(10));
    VersionedStore a = lockstep.wrap(storage.newClient());
    VersionedStore b = lockstep.wrap(storage.newClient());

    CompletableFuture<?> readA = a.get("k");
    assertThat(readA).isNotDone();
    storage.compareAndSet("k", Precondition.absent(), new byte[] {1}).join();
    CompletableFuture<?> readB = b.get("k");

    assertThat(readA).succeedsWithin(Duration.ofSeconds(5));
    assertThat(readB).succeedsWithin(Duration.ofSeconds(5));
    assertThat(a.get("k")).isDone();
  }

  @Test
  void gateThatNeverFills_failsTheHeldReadAsUnavailable() {
    LockstepReads lockstep = LockstepReads.forParties(3, Duration.ofMillis(50));
    CompletableFuture<?> read = lockstep.wrap(storage.newClient()).get("k");

    assertThat(read).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(StoreUnavailableException.class)
        .withMessageContaining("1 of 3");
  }
}
