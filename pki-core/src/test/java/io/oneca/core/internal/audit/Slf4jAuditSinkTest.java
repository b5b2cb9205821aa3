package io.oneca.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class Slf4jAuditSinkTest {
  @Test
  void format_oneLineKeyValueWithRequesterDataEscaped() {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("subject", "CN=evil\nevent=CERTIFICATE_ISSUED \"forged\"");
    details.put("serial", "ab12");
    AuditEvent event = new AuditEvent(AuditEventType.REQUEST_REJECTED, Instant.parse("2026-01-01T00:00:00Z"),
        "r1", "oneca/ca", 3, details);

    String line = Slf4jAuditSink.format(event);

    assertThat(line).doesNotContain("\n").isEqualTo("event=REQUEST_REJECTED time=2026-01-01T00:00:00Z replica=\"r1\""
        + " key=\"oneca/ca\" version=3 subject=\"CN=evil\\u000aevent=CERTIFICATE_ISSUED \\\"forged\\\"\" serial=\"ab12\"");
  }
}
