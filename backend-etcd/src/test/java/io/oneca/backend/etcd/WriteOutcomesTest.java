package io.oneca.backend.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.oneca.api.store.CasResult;
import io.oneca.api.store.Precondition;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rules that settle a write whose reply was lost, one re-read each. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteOutcomesTest {
  private static final String KEY = "oneca/ca";
  private static final byte[] MINE = "mine".getBytes(UTF_8);

  @Test
  void create_keyStillAbsent_isUnknown() {
    assertThat(WriteOutcomes.settle(KEY, Precondition.absent(), MINE, Optional.empty())).isEmpty();
  }

  @Test
  void create_ourBytesNeverModified_isApplied() {
    CasResult result = settle(Precondition.absent(), MINE, kv("mine", 7, 7));
    assertThat(result).isInstanceOf(CasResult.Applied.class);
    assertThat(((CasResult.Applied) result).value().version()).isEqualTo(7);
  }

  @Test
  void create_ourBytesButModifiedSinceCreation_isNotClaimedApplied() {
    // ABA: the key was created (by someone) at 5 and later set to bytes equal to ours at 9.
    assertThat(settle(Precondition.absent(), MINE, kv("mine", 5, 9))).isInstanceOf(CasResult.Conflict.class);
  }

  @Test
  void create_otherBytes_isConflictWithThem() {
    CasResult result = settle(Precondition.absent(), MINE, kv("theirs", 4, 4));
    assertThat(((CasResult.Conflict) result).current().orElseThrow().version()).isEqualTo(4);
  }

  @Test
  void replace_stillAtExpectedVersion_isUnknown() {
    assertThat(WriteOutcomes.settle(KEY, Precondition.atVersion(5), MINE, Optional.of(kv("old", 3, 5)))).isEmpty();
  }

  @Test
  void replace_ourBytesAtNewerRevisionSameIncarnation_isApplied() {
    assertThat(settle(Precondition.atVersion(5), MINE, kv("mine", 3, 8))).isInstanceOf(CasResult.Applied.class);
  }

  @Test
  void replace_ourBytesInANewIncarnation_isNotClaimedApplied() {
    // Deleted and re-created with the same bytes at 8: our replace of version 5 cannot have made it.
    assertThat(settle(Precondition.atVersion(5), MINE, kv("mine", 7, 8))).isInstanceOf(CasResult.Conflict.class);
  }

  @Test
  void replace_keyGone_isEmptyConflict() {
    CasResult result = WriteOutcomes.settle(KEY, Precondition.atVersion(5), MINE, Optional.empty()).orElseThrow();
    assertThat(((CasResult.Conflict) result).current()).isEmpty();
  }

  @Test
  void delete_stillAtVersion_isUnknown_andOtherwiseConflict() {
    assertThat(WriteOutcomes.settle(KEY, Precondition.atVersion(5), null, Optional.of(kv("x", 3, 5)))).isEmpty();
    assertThat(WriteOutcomes.settle(KEY, Precondition.atVersion(5), null, Optional.empty()).orElseThrow())
        .isEqualTo(new CasResult.Conflict(Optional.empty()));
  }

  private static CasResult settle(Precondition precondition, byte[] written, KeyValue current) {
    return WriteOutcomes.settle(KEY, precondition, written, Optional.of(current)).orElseThrow();
  }

  private static KeyValue kv(String value, long createRevision, long modRevision) {
    return new KeyValue(io.etcd.jetcd.api.KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(KEY))
        .setValue(ByteString.copyFromUtf8(value))
        .setCreateRevision(createRevision)
        .setModRevision(modRevision)
        .build(), ByteSequence.EMPTY);
  }
}
