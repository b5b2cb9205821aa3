package io.oneca.backend.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.Precondition;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import io.oneca.testkit.etcd.EtcdMember;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What callers see while etcd is down: typed errors, and writes reported as of unknown outcome, never retried. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdUnavailableIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  private final EtcdStore store = EtcdStore.builder().endpoints(ETCD.clientEndpoints())
      .requestTimeout(Duration.ofMillis(500)).build();

  @AfterEach
  void restart() {
    ETCD.cluster().member(0).start();
    ETCD.cluster().member(0).awaitHealthy(Duration.ofSeconds(30));
    store.close();
  }

  @Test
  void writeWhileEtcdIsDown_failsAsOutcomeUnknown_andIsNotRetriedAfterwards() {
    EtcdMember etcd = ETCD.cluster().member(0);
    String key = "down/" + System.nanoTime();
    etcd.stop();

    assertThatThrownBy(() -> store.compareAndSet(key, Precondition.absent(), "v".getBytes(UTF_8)).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isTrue();
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.getMessage()).contains(key).contains("absent").contains(store.backend());
        });
    assertThatThrownBy(() -> store.get(key).join())
        .cause()
        .isInstanceOfSatisfying(StoreUnavailableException.class, e -> assertThat(e.writeOutcomeUnknown()).isFalse());

    etcd.start();
    etcd.awaitHealthy(Duration.ofSeconds(30));
    assertThat(store.get(key).join()).as("a failed write must not be sent again later").isEmpty();
  }
}
