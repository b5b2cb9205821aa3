package io.oneca.backend.k8s;

import static io.oneca.backend.k8s.FaultyDispatcher.recordWrite;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.StoreUnavailableException;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import io.oneca.api.store.Versioned;
import io.oneca.backend.k8s.FaultyDispatcher.Fault;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Single writes under API errors injected at the HTTP level: settled by a re-read, never retried blindly. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesFaultIT {
  private static final String KEY = "faults/ca";

  private MockApiServer server;
  private KubernetesSecretStore store;

  @BeforeEach
  void start() throws Exception {
    server = new MockApiServer();
    server.faults().timeoutDelay(Duration.ofMillis(3000));
    server.newClient(Duration.ofSeconds(10)).secrets().inNamespace(MockApiServer.NAMESPACE).list(); // warm up the server
    store = server.newStore(Duration.ofMillis(1500));
  }

  @AfterEach
  void stop() {
    store.close();
    server.close();
  }

  @Test
  void createAppliedButAnswered500_reReadFindsOurWrite_applied() {
    server.faults().next(recordWrite("POST"), Fault.APPLY_THEN_500);

    CasResult result = store.compareAndSet(KEY, Precondition.absent(), bytes("mine")).join();

    Versioned<byte[]> applied = ((CasResult.Applied) result).value();
    assertThat(store.get(KEY).join()).hasValueSatisfying(v -> {
      assertThat(v.version()).isEqualTo(applied.version());
      assertThat(v.value()).isEqualTo(bytes("mine"));
    });
    assertThat(server.faults().injected()).isEqualTo(1);
  }

  @Test
  void createAppliedButReplyTimedOut_reReadFindsOurWrite_applied() {
    server.faults().next(recordWrite("POST"), Fault.APPLY_THEN_TIMEOUT);

    CasResult result = store.compareAndSet(KEY, Precondition.absent(), bytes("mine")).join();

    assertThat(result).isInstanceOf(CasResult.Applied.class);
    assertThat(store.get(KEY).join().map(v -> new String(v.value(), UTF_8))).contains("mine");
  }

  @Test
  void createRefusedWith500_reReadShowsNothing_outcomeUnknownNotRetried() {
    server.faults().next(recordWrite("POST"), Fault.REFUSE_500);

    assertThatThrownBy(() -> store.compareAndSet(KEY, Precondition.absent(), bytes("mine")).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
          assertThat(e.writeOutcomeUnknown()).isTrue();
          assertThat(e.key()).isEqualTo(KEY);
          assertThat(e.getMessage()).contains("HTTP 500");
        });
    assertThat(store.get(KEY).join()).as("not retried blindly").isEmpty();
  }

  @Test
  void conflictOnWhatLookedLikeAFirstCreate_isAConflictWithTheReReadState() {
    server.faults().next(recordWrite("POST"), Fault.FAKE_409);

    CasResult result = store.compareAndSet(KEY, Precondition.absent(), bytes("mine")).join();

    assertThat(result).isEqualTo(new CasResult.Conflict(Optional.empty()));
    assertThat(store.get(KEY).join()).isEmpty();
  }

  @Test
  void replaceAppliedButAnswered500_applied() {
    Versioned<byte[]> first = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")).join());
    server.faults().next(recordWrite("PUT"), Fault.APPLY_THEN_500);

    Versioned<byte[]> second = applied(store.compareAndSet(KEY, Precondition.atVersion(first.version()), bytes("two")).join());

    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(store.get(KEY).join().orElseThrow().version()).isEqualTo(second.version());
  }

  @Test
  void counterWriteFails_recordWriteStillSingleAndVersionsIncrease() {
    Versioned<byte[]> first = applied(store.compareAndSet(KEY, Precondition.absent(), bytes("one")).join());
    server.faults().next(FaultyDispatcher.request("PUT", "version.counter"), Fault.APPLY_THEN_500);
    server.faults().next(FaultyDispatcher.request("PUT", "version.counter"), Fault.REFUSE_500);

    Versioned<byte[]> second = applied(store.compareAndSet(KEY, Precondition.atVersion(first.version()), bytes("two")).join());

    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(server.faults().injected()).isEqualTo(2);
  }

  private static Versioned<byte[]> applied(CasResult result) {
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    return ((CasResult.Applied) result).value();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
