package io.oneca.benchmarks.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.benchmarks.join.OneCaCfsslStub.Mode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load driver against an in-process cfssl-shaped endpoint that signs with OneCA: correct
 * answers are throughput, every kind of wrong answer is an error and never throughput, and the
 * counts match what the endpoint actually sent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SigningLoadDriverTest {
  private static final int REQUESTS = 30;
  private static CsrMix mix;

  @BeforeAll
  static void generateCsrs() throws Exception {
    mix = CsrMix.generate("p256=2,p384=1,rsa2048=1", 8);
  }

  private static LoadResult drive(OneCaCfsslStub stub, int connections) throws Exception {
    DriverOptions options = DriverOptions.builder().url(stub.url()).connections(connections)
        .warmup(Duration.ZERO).requests(REQUESTS).timeout(Duration.ofSeconds(10)).build();
    return new SigningLoadDriver(options, new CfsslSignFormat(), mix).run(stub.url());
  }

  @Test
  void correctCertificatesCountAsThroughputOverKeptAliveConnections() throws Exception {
    try (OneCaCfsslStub stub = new OneCaCfsslStub(Mode.CORRECT, false)) {
      LoadResult result = drive(stub, 2);
      assertThat(result.ok()).isEqualTo(REQUESTS).isEqualTo(stub.correct());
      assertThat(result.errors()).isZero();
      assertThat(result.errorReasons()).isEmpty();
      assertThat(result.requestsPerSecond()).isPositive();
      assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p99Millis());
      assertThat(result.connects()).isEqualTo(2);
      assertThat(result.mix()).isEqualTo("p256=4 p384=2 rsa2048=2");
    }
  }

  @ParameterizedTest
  @CsvSource({
      "WRONG_KEY, key mismatch",
      "WRONG_NAME, dns name missing",
      "HTTP_ERROR, http 400",
      "SUCCESS_FALSE, success not true",
      "GARBAGE, body not json",
      "BAD_CERTIFICATE, certificate unparsable"})
  void wrongAnswersAreErrorsNeverThroughput(Mode mode, String reason) throws Exception {
    try (OneCaCfsslStub stub = new OneCaCfsslStub(mode, false)) {
      LoadResult result = drive(stub, 2);
      assertThat(result.ok()).isZero();
      assertThat(result.requestsPerSecond()).isZero();
      assertThat(result.errors()).isEqualTo(REQUESTS).isEqualTo(stub.wrong());
      assertThat(result.errorReasons()).isEqualTo(Map.of(reason, (long) REQUESTS));
    }
  }

  @Test
  void mixedAnswersAreCountedExactly() throws Exception {
    try (OneCaCfsslStub stub = new OneCaCfsslStub(Mode.EVERY_THIRD_WRONG, false)) {
      LoadResult result = drive(stub, 3);
      assertThat(stub.wrong()).isEqualTo(REQUESTS / 3);
      assertThat(result.errors()).isEqualTo(stub.wrong());
      assertThat(result.ok()).isEqualTo(stub.correct()).isEqualTo(REQUESTS - REQUESTS / 3);
      assertThat(result.errorReasons()).isEqualTo(Map.of("key mismatch", (long) REQUESTS / 3));
    }
  }

  @Test
  void serverClosingConnectionsIsFollowedByReconnects() throws Exception {
    try (OneCaCfsslStub stub = new OneCaCfsslStub(Mode.CORRECT, true)) {
      LoadResult result = drive(stub, 1);
      assertThat(result.ok()).isEqualTo(REQUESTS);
      assertThat(result.errors()).isZero();
      assertThat(result.connects()).isEqualTo(REQUESTS);
    }
  }

  @Test
  void refusedConnectionsAreErrors() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    java.net.URI url = java.net.URI.create("http://127.0.0.1:" + port);
    DriverOptions options = DriverOptions.builder().url(url).warmup(Duration.ZERO).requests(5)
        .timeout(Duration.ofSeconds(2)).build();
    LoadResult result = new SigningLoadDriver(options, new CfsslSignFormat(), mix).run(url);
    assertThat(result.ok()).isZero();
    assertThat(result.errors()).isEqualTo(5);
    assertThat(result.errorReasons()).containsOnlyKeys("io ConnectException");
  }

  @Test
  void cannedEndpointMeasuresTheClientForADuration() throws Exception {
    DriverOptions options = DriverOptions.builder().canned(true).connections(2)
        .warmup(Duration.ofMillis(200)).duration(Duration.ofMillis(500)).build();
    CfsslSignFormat format = new CfsslSignFormat();
    try (CannedCfsslEndpoint endpoint = CannedCfsslEndpoint.start(mix, format, 2)) {
      LoadResult result = new SigningLoadDriver(options, format, mix).run(endpoint.url());
      assertThat(result.errors()).isZero();
      assertThat(result.ok()).isPositive();
      assertThat(result.seconds()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
      assertThat(result.clientCpuMicrosPerRequest()).isPositive();
      assertThat(result.target()).isEqualTo("canned");
      assertThat(result.toJson()).contains("\"requestsPerSecond\"");
    }
  }

  @Test
  void joinFormatNeedsItsKey_otherNamesUnknown() {
    assertThatThrownBy(() -> RequestFormats.forName("oneca-join"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--join-key");
    assertThatThrownBy(() -> RequestFormats.forOptions(DriverOptions.builder().canned(true).format("oneca-join").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--join-key");
    assertThatThrownBy(() -> RequestFormats.forName("acme")).isInstanceOf(IllegalArgumentException.class);
    assertThat(RequestFormats.forName("cfssl")).isInstanceOf(CfsslSignFormat.class);
  }

  @Test
  void optionsParseTheCommandLine() {
    DriverOptions options = DriverOptions.parse(new String[] {"--url", "http://127.0.0.1:8888", "--connections", "8",
        "--warmup", "500ms", "--duration", "2s", "--target", "cfssl-1.2"});
    assertThat(options.connections()).isEqualTo(8);
    assertThat(options.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.target()).isEqualTo("cfssl-1.2");
    assertThat(options.mix()).isEqualTo(CsrMix.DEFAULT_SPEC);
    assertThatThrownBy(() -> DriverOptions.parse(new String[] {"--connections", "8"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DriverOptions.parse(new String[] {"--canned", "--url", "http://127.0.0.1:1"}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
