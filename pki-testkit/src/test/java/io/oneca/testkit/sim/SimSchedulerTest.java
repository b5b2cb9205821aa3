package io.oneca.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Virtual time, seeded ties, periodic tasks and the two lanes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimSchedulerTest {

  @Test
  void tasks_runInVirtualTimeOrder_andMoveTheClock() {
    SimScheduler scheduler = new SimScheduler(1);
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("b@" + scheduler.elapsed().toMillis()), 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(() -> ran.add("a@" + scheduler.elapsed().toMillis()), 10, TimeUnit.MILLISECONDS);

    assertThat(scheduler.runFor(Duration.ofMillis(15), 100)).isEqualTo(1);
    assertThat(ran).containsExactly("a@10");
    assertThat(scheduler.elapsed()).isEqualTo(Duration.ofMillis(15));
    scheduler.runFor(Duration.ofSeconds(1), 100);
    assertThat(ran).containsExactly("a@10", "b@20");
    assertThat(scheduler.now()).isEqualTo(SimScheduler.DEFAULT_START.plusMillis(1015));
  }

  @Test
  void ties_sameSeedSameOrder_otherSeedsOtherOrders() {
    List<Integer> first = tieOrder(7);
    assertThat(tieOrder(7)).isEqualTo(first);
    boolean anyDifferent = false;
    for (long seed = 8; seed < 20 && !anyDifferent; seed++) {
      anyDifferent = !tieOrder(seed).equals(first);
    }
    assertThat(anyDifferent).as("ties are ordered by the seed").isTrue();
  }

  private static List<Integer> tieOrder(long seed) {
    SimScheduler scheduler = new SimScheduler(seed);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      scheduler.execute(() -> ran.add(n));
    }
    scheduler.runReady(100);
    return ran;
  }

  @Test
  void fifoTies_keepSubmissionOrder() {
    SimScheduler scheduler = new SimScheduler(3, SimScheduler.DEFAULT_START, false);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      scheduler.execute(() -> ran.add(n));
    }
    scheduler.runReady(100);
    assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void fixedDelayTask_repeatsUntilCancelled() {
    SimScheduler scheduler = new SimScheduler(1);
    List<Long> at = new ArrayList<>();
    ScheduledFuture<?> periodic = scheduler.scheduleWithFixedDelay(() -> at.add(scheduler.elapsed().toMillis()),
        5, 10, TimeUnit.MILLISECONDS);
    scheduler.runFor(Duration.ofMillis(40), 100);
    periodic.cancel(false);
    scheduler.runFor(Duration.ofMillis(100), 100);
    assertThat(at).containsExactly(5L, 15L, 25L, 35L);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void lanes_executorTasksAreTold_fromIoTasks() {
    SimScheduler scheduler = new SimScheduler(1);
    List<String> lanes = new ArrayList<>();
    scheduler.execute(() -> lanes.add("executor:" + scheduler.inExecutorTask()));
    scheduler.io(Duration.ofMillis(1), () -> lanes.add("io:" + scheduler.inExecutorTask()));
    scheduler.runFor(Duration.ofMillis(5), 10);
    assertThat(lanes).containsExactly("executor:true", "io:false");
    assertThat(scheduler.inExecutorTask()).isFalse();
  }

  @Test
  void livelock_isReported() {
    SimScheduler scheduler = new SimScheduler(1);
    Runnable[] again = new Runnable[1];
    again[0] = () -> scheduler.execute(again[0]);
    scheduler.execute(again[0]);
    assertThatThrownBy(() -> scheduler.runReady(1000)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("livelock");
  }

  @Test
  void clock_skewsAndJumps_fromVirtualTime() {
    SimScheduler scheduler = new SimScheduler(1);
    SimClock clock = new SimClock(scheduler);
    clock.skew(Duration.ofMinutes(-2));
    scheduler.runFor(Duration.ofSeconds(1), 1);
    assertThat(clock.instant()).isEqualTo(SimScheduler.DEFAULT_START.plusSeconds(1).minusSeconds(120));
    clock.jump(Duration.ofMinutes(3));
    assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(1));
  }
}
