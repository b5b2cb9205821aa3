package io.oneca.core.internal.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.UnreadableRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineageEvidenceTest {
  private static final Instant AT = Instant.parse("2026-12-03T10:15:30Z");

  private static Fingerprint fingerprint(Random random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return new Fingerprint(HexFormat.of().formatHex(bytes));
  }

  @Test
  void encodeThenDecode_isIdentity_forSeededEvidence() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      LineageEvidence evidence = LineageEvidence.founded("oneca/ca", fingerprint(random), AT, "replica-" + seed);
      for (int i = random.nextInt(20); i > 0; i--) {
        evidence = evidence.admit(fingerprint(random), AT.plusSeconds(i), "ops");
        if (random.nextBoolean()) {
          evidence = evidence.distrust(fingerprint(random), AT.plusSeconds(i), "ops");
        }
      }
      if (random.nextBoolean()) {
        evidence = LineageEvidence.reset("oneca/ca", fingerprint(random), AT, "ops");
        if (random.nextBoolean()) {
          evidence = evidence.foundedBy(fingerprint(random), AT, "replica");
        }
      }
      LineageEvidence decoded = LineageEvidence.decode(evidence.encode(), "test", "oneca/ca.lineage", 1);
      assertThat(decoded).as("seed %d", seed).isEqualTo(evidence);
      assertThat(decoded.admitted()).hasSizeLessThanOrEqualTo(LineageEvidence.MAX_ADMITTED);
      assertThat(decoded.distrusted()).hasSizeLessThanOrEqualTo(LineageEvidence.MAX_DISTRUSTED);
    }
  }

  @Test
  void evidenceWithoutDistrustedLines_asWrittenBeforeThem_stillDecodes() {
    Random random = new Random(3);
    Fingerprint founded = fingerprint(random);
    Fingerprint admitted = fingerprint(random);
    String old = "oneca-lineage 1\nkey oneca/ca\nfounded " + founded.sha256Hex() + "\nadmitted "
        + admitted.sha256Hex() + "\nat 2026-12-03T10:15:30Z\nby replica-1\n";
    LineageEvidence decoded = LineageEvidence.decode(old.getBytes(StandardCharsets.UTF_8), "test", "k.lineage", 1);
    assertThat(decoded.distrusted()).isEmpty();
    assertThat(decoded.admits(admitted)).isTrue();
    assertThat(decoded.encode()).isEqualTo(old.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void distrusted_isNeverAdmitted_untilAReset() {
    Random random = new Random(5);
    Fingerprint first = fingerprint(random);
    Fingerprint second = fingerprint(random);
    Fingerprint third = fingerprint(random);
    LineageEvidence evidence = LineageEvidence.founded("k", first, AT, "r").admit(second, AT, "ops")
        .distrust(first, AT, "ops").admit(third, AT, "ops").distrust(second, AT, "ops");
    assertThat(evidence.admits(second)).as("admitted once, distrusted since").isFalse();
    assertThat(evidence.distrusts(first)).isTrue();
    assertThat(evidence.admits(third)).isTrue();
    String text = new String(evidence.encode(), StandardCharsets.UTF_8);
    assertThat(text).contains("distrusted " + first.sha256Hex() + "\n", "distrusted " + second.sha256Hex() + "\n");
    LineageEvidence decoded = LineageEvidence.decode(evidence.encode(), "test", "k.lineage", 1);
    assertThat(decoded.admits(second)).isFalse();
    assertThat(LineageEvidence.reset("k", third, AT, "ops").foundedBy(second, AT, "r").distrusted())
        .as("a reset starts the line over").isEmpty();
    for (int i = 0; i < LineageEvidence.MAX_DISTRUSTED + 5; i++) {
      evidence = evidence.distrust(fingerprint(random), AT, "ops");
    }
    assertThat(evidence.distrusted()).hasSize(LineageEvidence.MAX_DISTRUSTED);
  }

  @Test
  void admits_onlyOperatorDecisions_notAPlainFounding() {
    Random random = new Random(7);
    Fingerprint first = fingerprint(random);
    Fingerprint second = fingerprint(random);
    LineageEvidence founded = LineageEvidence.founded("k", first, AT, "r");
    assertThat(founded.admits(first)).as("a founding alone admits nothing").isFalse();
    assertThat(founded.admit(second, AT, "ops").admits(second)).isTrue();
    LineageEvidence reset = LineageEvidence.reset("k", first, AT, "ops");
    assertThat(reset.open()).isTrue();
    assertThat(reset.foundedBy(second, AT, "r").admits(second)).isTrue();
  }

  @Test
  void garbageAndTruncations_areUnreadable_neverAnotherException() {
    byte[] valid = LineageEvidence.founded("oneca/ca", fingerprint(new Random(1)), AT, "r").encode();
    assertThatThrownBy(() -> LineageEvidence.decode("junk".getBytes(StandardCharsets.UTF_8), "test", "k.lineage", 3))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("k.lineage");
    Random random = new Random(11);
    for (int i = 0; i < 500; i++) {
      byte[] mutated = java.util.Arrays.copyOf(valid, random.nextInt(valid.length + 1));
      if (mutated.length > 0 && random.nextBoolean()) {
        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
      }
      try {
        LineageEvidence.decode(mutated, "test", "k.lineage", 1);
      } catch (UnreadableRecordException expected) {
        // the only failure allowed
      }
    }
    assertThat(new String(valid, StandardCharsets.UTF_8)).doesNotContain("PRIVATE").startsWith("oneca-lineage 1\n");
  }
}
