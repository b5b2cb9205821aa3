package io.oneca.core.internal.audit;

import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link AuditSink}: one line per event on the SLF4J logger {@value #LOGGER}, at INFO
 * (WARN for refused requests, failed bootstraps, lineage refusals and resets, and regressions), as
 * {@code key=value} pairs. Values that come
 * from requesters (subjects, names) are quoted with control characters escaped, so a crafted CSR
 * cannot forge audit lines.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The name of the audit logger. */
  public static final String LOGGER = "io.oneca.audit";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final Slf4jAuditSink INSTANCE = new Slf4jAuditSink();

  private Slf4jAuditSink() {}

  /** Returns the shared instance. */
  public static Slf4jAuditSink instance() {
    return INSTANCE;
  }

  @Override
  public void record(AuditEvent event) {
    boolean warn = switch (event.type()) {
      case REQUEST_REJECTED, CA_BOOTSTRAP_FAILED, CA_IMPORT_DIFFERENT_CA_STORED, CA_LINEAGE_REFUSED,
          CA_VERSION_REGRESSED, CA_LINEAGE_RESET -> true;
      default -> false;
    };
    if (warn ? !LOG.isWarnEnabled() : !LOG.isInfoEnabled()) {
      return;
    }
    String line = format(event);
    if (warn) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
  }

  static String format(AuditEvent event) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("event=").append(event.type())
        .append(" time=").append(event.time())
        .append(" replica=").append(quote(event.replicaId()))
        .append(" key=").append(quote(event.storeKey()))
        .append(" version=").append(event.storeVersion());
    event.details().forEach((k, v) -> sb.append(' ').append(k).append('=').append(quote(v)));
    return sb.toString();
  }

  static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
