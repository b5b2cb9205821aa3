package io.oneca.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.RotationTransitions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lineage rule against seeded random rotation histories: every step a rotation can write
 * continues the record before it, except a forced rotation that distrusts the old CA (which the
 * lineage evidence must admit); an unrelated CA never continues any record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaLineageTest {
  private static final Instant NOW = Instant.now();
  private static final int POOL = 40;
  private static final List<CaMaterial> CAS = new ArrayList<>();

  static {
    for (int i = 0; i < POOL; i++) {
      CAS.add(StoredCas.newCa("CN=Pool " + i, Duration.ofDays(30), NOW));
    }
  }

  @Test
  void everyRotationStep_continuesTheLine_exceptDistrustingForce_andStrangersNever() {
    CaMaterial stranger = StoredCas.newCa("CN=Stranger", Duration.ofDays(30), NOW);
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      List<CaMaterial> fresh = new ArrayList<>(CAS);
      java.util.Collections.shuffle(fresh, random);
      CaMaterial first = fresh.remove(0);
      CaRecord record = new CaRecord(first, List.of(first.certificate()), NOW, "seed-" + seed);
      for (int step = 0; step < 12 && fresh.size() > 1; step++) {
        CaRecord next;
        boolean distrusted = false;
        int kind = random.nextInt(4);
        if (kind == 0 && record.prepared().isEmpty()) {
          next = RotationTransitions.prepare(record, fresh.remove(0), Optional.empty(), NOW);
        } else if (kind == 1 && record.prepared().isPresent()) {
          next = RotationTransitions.activate(record, NOW, NOW.plus(Duration.ofDays(1))).record();
        } else if (kind == 2) {
          distrusted = random.nextBoolean();
          next = RotationTransitions.force(record, fresh.remove(0), Optional.empty(), distrusted, NOW,
              NOW.plus(Duration.ofDays(1))).record();
        } else {
          next = RotationTransitions.pruneRetired(record, NOW).record();
        }
        Optional<String> broken = CaLineage.discontinuity(record, next);
        if (distrusted) {
          assertThat(broken).as("seed %d step %d: distrusting force leaves no link", seed, step).isPresent();
        } else {
          assertThat(broken).as("seed %d step %d (kind %d)", seed, step, kind).isEmpty();
        }
        CaRecord foreign = new CaRecord(stranger, List.of(stranger.certificate()), NOW, "elsewhere");
        assertThat(CaLineage.discontinuity(next, foreign)).as("seed %d step %d: a stranger", seed, step).isPresent();
        record = next;
      }
    }
  }
}
