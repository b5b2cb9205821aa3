package io.oneca.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.store.Versioned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized, seeded interleavings of publishes, connects, disconnects, late cleanups of old
 * connections and deliveries. Each schedule is one seed, so a failure names the seed that replays it.
 * At the end of every schedule, every connected consumer must hold the latest version of each item
 * it subscribes to, no subscription may have seen a version go backwards, and no callback may run
 * after its subscription's close returned.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeliveryHubInterleavingTest {
  private static final int SCHEDULES = 10_000;
  private static final int STEPS = 60;
  private static final int CONSUMERS = 3;

  @Test
  void randomSchedules_noSubscriberEndsOnAStaleVersion() {
    for (long seed = 1; seed <= SCHEDULES; seed++) {
      runSchedule(seed);
    }
  }

  private static void runSchedule(long seed) {
    Random random = new Random(seed);
    ManualExecutor executor = new ManualExecutor();
    DeliveryHub<String> hub = DeliveryHub.create(executor);
    Map<String, Long> published = new HashMap<>();
    Map<Integer, Connection> current = new HashMap<>();
    List<Connection> awaitingCleanup = new ArrayList<>();
    List<String> violations = new ArrayList<>();

    for (int step = 0; step < STEPS; step++) {
      int action = random.nextInt(100);
      int consumer = random.nextInt(CONSUMERS);
      if (action < 30) {
        String item = random.nextBoolean() ? "bundle" : identity(random.nextInt(CONSUMERS));
        long latest = published.getOrDefault(item, 0L);
        long version = random.nextInt(5) == 0 ? Math.max(1, latest - random.nextInt(3)) : latest + 1;
        boolean accepted = hub.publish(item, version, item + "@" + version);
        if (accepted != version > latest) {
          violations.add("publish of " + item + " v" + version + " over v" + latest + " returned " + accepted);
        }
        published.merge(item, version, Math::max);
      } else if (action < 45) {
        Connection old = current.put(consumer, Connection.open(hub, consumer, violations));
        if (old != null) {
          awaitingCleanup.add(old);
        }
      } else if (action < 52) {
        Connection old = current.remove(consumer);
        if (old != null) {
          awaitingCleanup.add(old);
        }
      } else if (action < 65) {
        if (!awaitingCleanup.isEmpty()) {
          awaitingCleanup.remove(random.nextInt(awaitingCleanup.size())).close();
        }
      } else {
        executor.runOne(random);
      }
    }
    while (!awaitingCleanup.isEmpty()) {
      awaitingCleanup.remove(random.nextInt(awaitingCleanup.size())).close();
      executor.runOne(random);
    }
    executor.runAll();

    for (Connection connection : current.values()) {
      connection.expectLatest(published, violations);
    }
    if (hub.subscriptionCount() != 2 * current.size()) {
      violations.add(hub.subscriptionCount() + " open subscriptions for " + current.size() + " connections");
    }
    assertThat(violations).as("seed %d", seed).isEmpty();
  }

  private static String identity(int consumer) {
    return "identity/edge-" + consumer;
  }

  /** One consumer connection: a subscription to the shared bundle and one to its own identity. */
  private static final class Connection {
    private final Map<String, Receiver> receivers = new HashMap<>();

    static Connection open(DeliveryHub<String> hub, int consumer, List<String> violations) {
      Connection connection = new Connection();
      for (String item : List.of("bundle", identity(consumer))) {
        Receiver receiver = new Receiver(item, violations);
        receiver.subscription = hub.subscribe("edge-" + consumer, item, receiver::accept);
        connection.receivers.put(item, receiver);
      }
      return connection;
    }

    void close() {
      for (Receiver receiver : receivers.values()) {
        receiver.subscription.close();
        receiver.closeReturned = true;
      }
    }

    void expectLatest(Map<String, Long> published, List<String> violations) {
      for (Receiver receiver : receivers.values()) {
        long expected = published.getOrDefault(receiver.item, 0L);
        if (receiver.last != expected) {
          violations.add(receiver.subscription + " ended on v" + receiver.last + ", latest is v" + expected);
        }
      }
    }
  }

  private static final class Receiver {
    private final String item;
    private final List<String> violations;
    private DeliverySubscription subscription;
    private long last;
    private boolean closeReturned;

    Receiver(String item, List<String> violations) {
      this.item = item;
      this.violations = violations;
    }

    void accept(Versioned<String> update) {
      if (closeReturned) {
        violations.add(subscription + " received v" + update.version() + " after close returned");
      }
      if (update.version() <= last) {
        violations.add(subscription + " went from v" + last + " to v" + update.version());
      }
      if (!update.value().equals(item + "@" + update.version())) {
        violations.add(subscription + " received " + update.value() + " as v" + update.version());
      }
      last = update.version();
    }
  }
}
