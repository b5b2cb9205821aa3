package io.oneca.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.KeyAlgorithm;
import io.oneca.core.OneCa;
import io.oneca.core.store.InMemoryStore;
import io.oneca.core.tls.ReloadingManagersTest.Leaf;
import io.oneca.testkit.ExternalTools;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 21.4: contexts from {@link TlsContexts} speak TLS 1.3 and 1.2 only, and in TLS 1.2 only ECDHE
 * with AES-GCM or ChaCha20-Poly1305, checked with the real {@code openssl s_client} (a peer that is
 * not Java). Older protocols are offered at OpenSSL's security level 0, so a refusal is the server's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsDefaultsOpensslTest {
  private static InMemoryStore store;
  private static OneCa ca;

  @TempDir Path dir;

  @BeforeAll
  static void startCa() {
    store = InMemoryStore.create();
    ca = OneCa.builder().allowPlaintextCaKey().store(store).caSubject("CN=TLS defaults CA").build();
    ca.start();
  }

  @AfterAll
  static void stopCa() {
    ca.close();
    store.close();
  }

  /** {@code expected} is the suite OpenSSL must report, or NONE when the server must refuse. */
  @ParameterizedTest(name = "{0} server, s_client {1}: {2}")
  @CsvSource(delimiter = '|', value = {
    "EC_P256  | -tls1_1 -cipher DEFAULT@SECLEVEL=0                        | NONE",
    "EC_P256  | -tls1 -cipher DEFAULT@SECLEVEL=0                          | NONE",
    "EC_P256  | -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA                    | NONE",
    "EC_P256  | -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256                 | NONE",
    "EC_P256  | -tls1_2 -cipher AES128-SHA                                | NONE",
    "EC_P256  | -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256             | ECDHE-ECDSA-AES128-GCM-SHA256",
    "EC_P256  | -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305             | ECDHE-ECDSA-CHACHA20-POLY1305",
    "EC_P256  | -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256              | TLS_AES_128_GCM_SHA256",
    "EC_P256  | -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256        | TLS_CHACHA20_POLY1305_SHA256",
    "RSA_2048 | -tls1_1 -cipher DEFAULT@SECLEVEL=0                        | NONE",
    "RSA_2048 | -tls1_2 -cipher AES128-SHA                                | NONE",
    "RSA_2048 | -tls1_2 -cipher AES128-GCM-SHA256                         | NONE",
    "RSA_2048 | -tls1_2 -cipher ECDHE-RSA-AES128-SHA                      | NONE",
    "RSA_2048 | -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256                 | NONE",
    "RSA_2048 | -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384               | ECDHE-RSA-AES256-GCM-SHA384",
    "RSA_2048 | -tls1_3                                                   | TLS_AES_128_GCM_SHA256",
  })
  void sslContextServer_opensslClient(KeyAlgorithm algorithm, String options, String expected) throws Exception {
    Leaf leaf = ReloadingManagersTest.leaf(ca, "server", algorithm);
    ReloadingX509KeyManager keys = ReloadingX509KeyManager.of(leaf.keys().getPrivate(), leaf.chain());

    try (TlsLoopback server = TlsLoopback.start(TlsContexts.sslContext(keys, null), false)) {
      assertHandshake(dir, server.address().getPort(), options, expected);
    }
  }

  /** Runs s_client and checks the suite it reports ({@code NONE} when the handshake must fail). */
  static void assertHandshake(Path dir, int port, String options, String expected) throws Exception {
    List<String> arguments = Arrays.asList(options.trim().split("\\s+"));
    ExternalTools.Result result = ExternalTools.opensslClient(dir, port, arguments);
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
