package io.oneca.api.audit;

/**
 * Receives OneCA's {@link AuditEvent}s: CA creation and adoption, re-encryption, rotation steps,
 * every issued certificate and every refused request.
 *
 * <p>OneCA calls {@link #record} synchronously on the thread doing the work, so an implementation
 * should be quick (queue to a remote system rather than call it). An exception thrown by the sink is
 * logged by OneCA and does not change the outcome of the operation. Must be thread-safe. pki-core's
 * default writes each event as one line to the SLF4J logger {@code io.oneca.audit}.
 */
@FunctionalInterface
public interface AuditSink {

  /**
   * Records one event.
   *
   * @param event the event
   */
  void record(AuditEvent event);
}
