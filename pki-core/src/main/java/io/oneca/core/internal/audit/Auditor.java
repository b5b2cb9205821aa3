package io.oneca.core.internal.audit;

import io.oneca.api.audit.AuditEvent;
import io.oneca.api.audit.AuditEventType;
import io.oneca.api.audit.AuditSink;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stamps events with time, replica and store key and hands them to the sink. A sink that throws
 * does not change the outcome of the audited operation; the failure is logged without the event's
 * details.
 */
public final class Auditor {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);

  private final AuditSink sink;
  private final InstantSource clock;
  private final String replicaId;
  private final String storeKey;

  /**
   * Creates an auditor.
   *
   * @param sink where events go
   * @param clock the time source
   * @param replicaId the replica recording events
   * @param storeKey the store key of the CA record
   */
  public Auditor(AuditSink sink, InstantSource clock, String replicaId, String storeKey) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
    this.storeKey = Objects.requireNonNull(storeKey, "storeKey");
  }

  /**
   * Records an event.
   *
   * @param type what happened
   * @param storeVersion the store version concerned, or 0
   * @param details further facts, never secrets
   */
  public void record(AuditEventType type, long storeVersion, Map<String, String> details) {
    try {
      sink.record(new AuditEvent(type, clock.instant(), replicaId, storeKey, Math.max(0, storeVersion), details));
    } catch (RuntimeException e) {
      LOG.error("audit sink {} failed to record a {} event for '{}': {}", sink.getClass().getName(), type, storeKey,
          e.getClass().getName());
    }
  }
}
