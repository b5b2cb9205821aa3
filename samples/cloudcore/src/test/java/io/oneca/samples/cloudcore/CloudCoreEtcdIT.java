package io.oneca.samples.cloudcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.samples.cloudcore.demo.CloudCoreDemo;
import io.oneca.samples.cloudcore.demo.DemoCheck;
import io.oneca.samples.cloudcore.demo.DemoOptions;
import io.oneca.testkit.etcd.EtcdClusterExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end scenario on real etcd: 3 replica processes bootstrap at the same instant, 5 edges
 * join through different replicas and keep hub streams and mTLS pings going, a forced rotation
 * reaches everyone; no stream drops and no certificate or trust failure.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CloudCoreEtcdIT {
  @RegisterExtension
  static final EtcdClusterExtension ETCD = EtcdClusterExtension.singleNode();

  @TempDir Path dir;

  @Test
  void threeReplicaProcessesOnEtcd_fiveEdges_rotation_everyCheckHolds() throws Exception {
    String store = "etcd://" + ETCD.clientEndpoints().get(0).replace("http://", "") + "/cloudcore-it";
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<DemoCheck> checks;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      checks = CloudCoreDemo.run(new DemoOptions(dir, Optional.of(store), 3, 5, Duration.ofSeconds(2)), out);
    }
    String timeline = text.toString(StandardCharsets.UTF_8);
    System.out.println(timeline);
    assertThat(checks).as(timeline).hasSize(8).allMatch(DemoCheck::passed);
    assertThat(timeline).contains("rotation APPLIED").contains("OK: every check held.");
  }
}
