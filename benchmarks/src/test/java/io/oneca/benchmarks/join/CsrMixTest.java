package io.oneca.benchmarks.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CSR mix: proportions, a fixed order of key types, and validation of the spec. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CsrMixTest {

  @Test
  void defaultMixSplitsAPoolByLargestRemainder() {
    assertThat(CsrMix.counts(CsrMix.parse(CsrMix.DEFAULT_SPEC), 512))
        .isEqualTo(Map.of("p256", 461, "p384", 26, "rsa2048", 25));
    assertThat(CsrMix.counts(CsrMix.parse("p256=1,p384=1"), 3).values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(3);
  }

  @Test
  void orderOfKeyTypesDependsOnlyOnTheSpecAndSize() throws Exception {
    CsrMix a = CsrMix.generate("p256=3,p384=1", 16);
    CsrMix b = CsrMix.generate("p256=3,p384=1", 16);
    for (int i = 0; i < 16; i++) {
      assertThat(a.get(i).keyType()).isEqualTo(b.get(i).keyType());
      assertThat(a.get(i).dnsName()).isEqualTo("node-" + i + ".nodes.bench.example");
      assertThat(a.get(i).pem()).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n");
    }
    assertThat(a.get(16)).isEqualTo(a.get(0));
    assertThat(a.describe()).isEqualTo("p256=12 p384=4");
  }

  @Test
  void malformedSpecsAreRejected() {
    assertThatThrownBy(() -> CsrMix.parse("ed25519=1")).hasMessageContaining("unknown CSR key type");
    assertThatThrownBy(() -> CsrMix.parse("p256")).hasMessageContaining("type=weight");
    assertThatThrownBy(() -> CsrMix.parse("p256=0")).hasMessageContaining("no positive weight");
    assertThatThrownBy(() -> CsrMix.parse("p256=1,p256=2")).hasMessageContaining("distinct");
  }
}
