package io.oneca.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.ClientAuth;
import io.oneca.api.KeyAlgorithm;
import io.oneca.core.ManagedIdentity;
import io.oneca.testkit.ExternalTools;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 21.4 for the Netty adapter: a server context from {@link OneCaSslContexts} speaks TLS 1.3 and
 * 1.2 only, and in TLS 1.2 only ECDHE with AEAD suites, checked with the real {@code openssl s_client}.
 * Older protocols are offered at OpenSSL's security level 0, so a refusal is the server's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyTlsDefaultsOpensslTest {
  private static TestCa ca;
  private static NettyEcho echo;
  private static NettyEcho rsaEcho;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    ca = new TestCa("CN=OneCA Netty TLS defaults CA");
    ManagedIdentity server = ca.identity("server");
    echo = new NettyEcho(OneCaSslContexts.forServer(server).clientAuth(ClientAuth.NONE).build());
    ManagedIdentity rsaServer = ca.identity("rsa-server", KeyAlgorithm.RSA_2048);
    rsaEcho = new NettyEcho(OneCaSslContexts.forServer(rsaServer).clientAuth(ClientAuth.NONE).build());
  }

  @AfterAll
  static void stop() throws Exception {
    echo.close();
    rsaEcho.close();
    ca.close();
  }

  /** {@code expected} is the suite OpenSSL must report, or NONE when the server must refuse. */
  @ParameterizedTest(name = "s_client {0}: {1}")
  @CsvSource(delimiter = '|', value = {
    "-tls1_1 -cipher DEFAULT@SECLEVEL=0                | NONE",
    "-tls1 -cipher DEFAULT@SECLEVEL=0                  | NONE",
    "-tls1_2 -cipher AES128-SHA                        | NONE",
    "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA            | NONE",
    "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384         | NONE",
    "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256     | ECDHE-ECDSA-AES128-GCM-SHA256",
    "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305     | ECDHE-ECDSA-CHACHA20-POLY1305",
    "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384      | TLS_AES_256_GCM_SHA384",
    "-tls1_3                                           | TLS_AES_128_GCM_SHA256",
  })
  void nettyServer_opensslClient(String options, String expected) throws Exception {
    assertHandshake(echo.port(), options, expected);
  }

  @ParameterizedTest(name = "RSA server, s_client {0}: {1}")
  @CsvSource(delimiter = '|', value = {
    "-tls1_1 -cipher DEFAULT@SECLEVEL=0                | NONE",
    "-tls1_2 -cipher AES128-SHA                        | NONE",
    "-tls1_2 -cipher AES128-GCM-SHA256                 | NONE",
    "-tls1_2 -cipher ECDHE-RSA-AES128-SHA              | NONE",
    "-tls1_2 -cipher ECDHE-RSA-AES256-SHA              | NONE",
    "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256       | ECDHE-RSA-AES128-GCM-SHA256",
    "-tls1_3                                           | TLS_AES_128_GCM_SHA256",
  })
  void nettyRsaServer_opensslClient(String options, String expected) throws Exception {
    assertHandshake(rsaEcho.port(), options, expected);
  }

  private void assertHandshake(int port, String options, String expected) throws Exception {
    ExternalTools.Result result = ExternalTools.opensslClient(dir, port, Arrays.asList(options.trim().split("\\s+")));
    if (expected.equals("NONE")) {
      assertThat(result.output()).as("s_client %s must not complete a handshake; output:%n%s", options, result.output())
          .contains("Cipher is (NONE)");
      assertThat(result.exitCode()).as("s_client exit status").isNotZero();
    } else {
      assertThat(result.output()).as("s_client %s; output:%n%s", options, result.output())
          .contains("Cipher is " + expected);
      assertThat(result.exitCode()).as("s_client exit status").isZero();
    }
  }
}
