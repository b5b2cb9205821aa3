package io.oneca.samples.cloudcore.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.samples.cloudcore.demo.DemoCheck;
import io.oneca.samples.cloudcore.edge.FailureKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The short soak, once on a real etcd member and once on Curator's in-process ZooKeeper: 3 replica
 * processes, 12 edges pinging every 100 ms over fresh mTLS connections, and one full round of the
 * seeded fault schedule (two forced rotations, a replica SIGKILL and a clean replica restart on the
 * same ports, a store restart, two rounds of dropped edge connections), about a minute each. Seed 9
 * puts the second rotation right after the store restart, so the replicas' store watches must have
 * recovered for it to converge. Asserts zero certificate/trust failures and every end check:
 * everyone on the store's current CA, no version backwards, every ping that met a down replica
 * answered by another.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CloudCoreSoakIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(SoakOptions.StoreKind.class)
  void oneRoundOfFaults_zeroCertificateOrTrustFailures_everyEndCheckHolds(SoakOptions.StoreKind store)
      throws Exception {
    SoakOptions options = SoakOptions.builder(dir)
        .store(store)
        .duration(Duration.ofSeconds(20))
        .edges(12)
        .seed(9) // this round: drop, rotate, kill, drop, clean restart, store restart, rotate
        .gaps(Duration.ofSeconds(2), Duration.ofSeconds(4))
        .build();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    SoakResult result;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      result = SoakDriver.run(options, out);
      result.print(out);
    }
    String timeline = text.toString(StandardCharsets.UTF_8);
    System.out.println(timeline);
    assertThat(result.checks()).as(timeline).hasSizeGreaterThanOrEqualTo(9).allMatch(DemoCheck::passed);
    assertThat(result.failures(FailureKind.CERTIFICATE_OR_TRUST)).as(timeline).isZero();
    assertThat(result.faults(SoakFault.ROTATE_CA)).as(timeline).isGreaterThanOrEqualTo(2);
    assertThat(result.faults(SoakFault.KILL_REPLICA)).isGreaterThanOrEqualTo(1);
    assertThat(result.faults(SoakFault.RESTART_REPLICA)).isGreaterThanOrEqualTo(1);
    assertThat(result.faults(SoakFault.RESTART_STORE)).isGreaterThanOrEqualTo(1);
    assertThat(result.faults(SoakFault.DROP_CONNECTIONS)).isGreaterThanOrEqualTo(2);
    // The kill and the restarts made pings meet a down replica; each was answered by another one.
    assertThat(result.pingsRetried()).as(timeline).isPositive();
    assertThat(result.pingsUnanswered()).as(timeline).isZero();
    assertThat(result.handshakes()).isGreaterThan(1_000);
    assertThat(timeline).contains("OK: every check held.");
  }
}
