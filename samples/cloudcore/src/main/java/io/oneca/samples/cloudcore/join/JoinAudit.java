package io.oneca.samples.cloudcore.join;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of the join endpoint: one {@link JoinAuditRecord} per attempt, written to the
 * SLF4J logger {@value #LOGGER_NAME} as one {@code key=value} line (INFO for issued, WARN
 * otherwise), kept in a bounded list of the most recent records, and counted per outcome and per
 * error code for health pages and {@link JoinMetrics}. Thread-safe.
 */
public final class JoinAudit {
  /** The logger every record is written to. */
  public static final String LOGGER_NAME = "io.oneca.samples.cloudcore.audit";
  /** Default number of recent records kept. */
  public static final int DEFAULT_CAPACITY = 256;

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

  private final int capacity;
  private final ArrayDeque<JoinAuditRecord> recent;
  private final Map<JoinOutcome, LongAdder> byOutcome = new EnumMap<>(JoinOutcome.class);
  private final Map<String, LongAdder> byErrorCode = new ConcurrentHashMap<>();

  private JoinAudit(int capacity) {
    this.capacity = capacity;
    this.recent = new ArrayDeque<>(capacity);
    for (JoinOutcome outcome : JoinOutcome.values()) {
      byOutcome.put(outcome, new LongAdder());
    }
  }

  /** Returns an audit keeping the {@value #DEFAULT_CAPACITY} most recent records. */
  public static JoinAudit create() {
    return create(DEFAULT_CAPACITY);
  }

  /**
   * Returns an audit keeping the {@code capacity} most recent records.
   *
   * @param capacity 1 to 100,000
   * @return the audit
   */
  public static JoinAudit create(int capacity) {
    if (capacity < 1 || capacity > 100_000) {
      throw new IllegalArgumentException("capacity must be 1 to 100000, was " + capacity);
    }
    return new JoinAudit(capacity);
  }

  /**
   * Logs, keeps and counts a record.
   *
   * @param record the attempt
   */
  public void record(JoinAuditRecord record) {
    if (record.outcome() == JoinOutcome.ISSUED) {
      LOG.info(record.toLogLine());
    } else {
      LOG.warn(record.toLogLine());
    }
    byOutcome.get(record.outcome()).increment();
    record.errorCode().ifPresent(code -> byErrorCode.computeIfAbsent(code, c -> new LongAdder()).increment());
    synchronized (recent) {
      if (recent.size() == capacity) {
        recent.removeFirst();
      }
      recent.addLast(record);
    }
  }

  /** Returns the most recent records, oldest first. */
  public List<JoinAuditRecord> recent() {
    synchronized (recent) {
      return List.copyOf(new ArrayList<>(recent));
    }
  }

  /** Returns how many attempts ended with {@code outcome} since this audit was created. */
  public long count(JoinOutcome outcome) {
    return byOutcome.get(outcome).sum();
  }

  /** Returns how many attempts failed with each error code, sorted by code. */
  public Map<String, Long> countsByErrorCode() {
    Map<String, Long> counts = new TreeMap<>();
    byErrorCode.forEach((code, adder) -> counts.put(code, adder.sum()));
    return counts;
  }
}
