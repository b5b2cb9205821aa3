package io.oneca.benchmarks.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load driver against a real {@code cfssl serve} (Debian golang-cfssl), as
 * {@code benchmarks/scripts/cfssl-compare.sh} runs it: real answers pass the cfssl format's checks
 * over kept-alive connections, real error answers and real certificates for another key do not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CfsslServeIT {
  private static final int REQUESTS = 40;
  private static CfsslServe cfssl;
  private static CsrMix mix;

  @BeforeAll
  static void start() throws Exception {
    mix = CsrMix.generate("p256=2,p384=1,rsa2048=1", 8);
    cfssl = CfsslServe.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cfssl != null) {
      cfssl.close();
    }
  }

  private static LoadResult drive(RequestFormat format) throws Exception {
    DriverOptions options = DriverOptions.builder().url(cfssl.url()).connections(2).warmup(Duration.ZERO)
        .requests(REQUESTS).build();
    return new SigningLoadDriver(options, format, mix).run(cfssl.url());
  }

  @Test
  void cfsslAnswersPassTheChecksOverKeptAliveConnections() throws Exception {
    LoadResult result = drive(new CfsslSignFormat());
    assertThat(result.errorReasons()).isEmpty();
    assertThat(result.ok()).isEqualTo(REQUESTS);
    assertThat(result.connects()).isEqualTo(2);
    assertThat(result.p50Millis()).isPositive();
  }

  @Test
  void cfsslErrorAnswersAreErrors() throws Exception {
    LoadResult result = drive(new Wrapped() {
      @Override
      public byte[] body(CsrSample csr) {
        return "{\"certificate_request\":\"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n\"}"
            .getBytes(StandardCharsets.UTF_8);
      }
    });
    assertThat(result.ok()).isZero();
    assertThat(result.errorReasons()).isEqualTo(Map.of("http 400", (long) REQUESTS));
  }

  @Test
  void realCertificatesForAnotherKeyAreErrors() throws Exception {
    LoadResult result = drive(new Wrapped() {
      @Override
      public void check(int status, byte[] body, CsrSample csr) throws RejectedResponse {
        // Checks each answer against the next request of the pool: a real, valid certificate
        // from cfssl, but not for this key.
        int i = mix.samples().indexOf(csr);
        cfssl.check(status, body, mix.get(i + 1));
      }
    });
    assertThat(result.ok()).isZero();
    assertThat(result.errorReasons()).isEqualTo(Map.of("key mismatch", (long) REQUESTS));
  }

  /** The cfssl format, to override one part of. */
  private abstract static class Wrapped implements RequestFormat {
    final CfsslSignFormat cfssl = new CfsslSignFormat();

    @Override
    public String name() {
      return "cfssl-wrapped";
    }

    @Override
    public String path() {
      return cfssl.path();
    }

    @Override
    public String contentType() {
      return cfssl.contentType();
    }

    @Override
    public byte[] body(CsrSample csr) {
      return cfssl.body(csr);
    }

    @Override
    public void check(int status, byte[] body, CsrSample csr) throws RejectedResponse {
      cfssl.check(status, body, csr);
    }
  }
}
