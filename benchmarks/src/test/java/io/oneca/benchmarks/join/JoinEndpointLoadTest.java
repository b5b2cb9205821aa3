package io.oneca.benchmarks.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.samples.cloudcore.join.JoinTokens;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the join endpoint race with tiny parameters, so that the harness cannot rot: the
 * real endpoint (in this JVM, over HTTPS on 127.0.0.1) answers the driver's {@code oneca-join}
 * requests with certificates that pass the driver's checks. Not a measurement.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JoinEndpointLoadTest {
  private static final int REQUESTS = 24;

  @TempDir Path dir;

  @Test
  void driver_againstTheJoinEndpoint_everyAnswerCorrect() throws Exception {
    try (JoinEndpointServer endpoint = JoinEndpointServer.start(dir, 0)) {
      Path trust = Files.writeString(dir.resolve("trust.pem"), endpoint.caBundlePem());
      DriverOptions options = DriverOptions.builder().url(endpoint.url()).format(OneCaJoinFormat.NAME).trust(trust)
          .connections(2).warmup(Duration.ZERO).requests(REQUESTS).csrs(8).mix("p256=2,p384=1,rsa2048=1")
          .timeout(Duration.ofSeconds(20)).build();
      OneCaJoinFormat format = new OneCaJoinFormat(JoinTokens.fromKeyFile(dir.resolve("join-token.key")));
      CsrMix mix = CsrMix.generate(options.mix(), options.csrs(), format.nodeNamedCsrs());

      LoadResult result = new SigningLoadDriver(options, format, mix).run(endpoint.url());

      assertThat(result.errorReasons()).isEmpty();
      assertThat(result.ok()).isEqualTo(REQUESTS);
      assertThat(result.connects()).isEqualTo(2);
    }
  }

  @Test
  void driver_tokenOfAnotherKey_everyAnswerAnError() throws Exception {
    try (JoinEndpointServer endpoint = JoinEndpointServer.start(dir, 0)) {
      Path trust = Files.writeString(dir.resolve("trust.pem"), endpoint.caBundlePem());
      DriverOptions options = DriverOptions.builder().url(URI.create(endpoint.url().toString())).trust(trust)
          .format(OneCaJoinFormat.NAME).warmup(Duration.ZERO).requests(4).csrs(2).mix("p256=1").build();
      OneCaJoinFormat wrongKey = new OneCaJoinFormat(JoinTokens.fromKey(new byte[32]));
      CsrMix mix = CsrMix.generate(options.mix(), options.csrs(), true);

      LoadResult result = new SigningLoadDriver(options, wrongKey, mix).run(endpoint.url());

      assertThat(result.ok()).isZero();
      assertThat(result.errorReasons()).containsOnlyKeys("http 401 token_invalid");
    }
  }
}
