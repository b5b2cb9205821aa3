package io.oneca.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.NamedEntries;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AckRecordTest {
  private static final Fingerprint PREPARED = new Fingerprint("ab".repeat(32));

  @Test
  void encode_anyConsumerNames_roundTripsAndEqualContentEncodesEqually() {
    Set<String> live = new TreeSet<>(Set.of("edge 1", "edge=2\nx", "ünïcode/+%", "plain"));
    TreeMap<String, AckRecord.Ack> acked = new TreeMap<>(Map.of("edge 1", new AckRecord.Ack(7, Instant.EPOCH)));
    AckRecord record = new AckRecord(PREPARED, new TreeSet<>(live), acked);

    AckRecord decoded = AckRecord.decode(record.encode());

    assertThat(decoded).isEqualTo(record);
    assertThat(new AckRecord(PREPARED, new TreeSet<>(live), new TreeMap<>(acked)).encode()).isEqualTo(record.encode());
  }

  @Test
  void decode_malformed_illegalArgument() {
    assertThatThrownBy(() -> AckRecord.decode(new byte[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put("state", "live=a\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> AckRecord.decode(new NamedEntries(AckRecord.KIND, 1, entries).encode()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prepared");
    entries.put("state", ("prepared=" + PREPARED.sha256Hex() + "\nacked=a 1\n").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> AckRecord.decode(new NamedEntries(AckRecord.KIND, 1, entries).encode()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void key_replicaIdThatIsNoKeySegment_digested() {
    assertThat(AcknowledgedActivation.key("oneca/ca", "replica-1")).isEqualTo("oneca/ca.acks/replica-1");
    assertThat(AcknowledgedActivation.key("oneca/ca", "host/pod:7")).matches("oneca/ca\\.acks/r-[0-9a-f]{32}");
    assertThat(AcknowledgedActivation.key("oneca/ca", "..")).matches("oneca/ca\\.acks/r-[0-9a-f]{32}");
  }
}
