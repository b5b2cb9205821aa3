package io.oneca.benchmarks.join;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one measured load run. Only correct answers count as throughput; latency
 * percentiles are over correct answers only.
 *
 * @param target the target's label
 * @param format the request format's name
 * @param connections concurrent connections
 * @param mix what the CSR pool held, e.g. {@code p256=461 p384=26 rsa2048=25}
 * @param seconds the measured wall time
 * @param ok correct answers in the measured window
 * @param errors wrong answers and failed exchanges in the measured window
 * @param errorReasons errors by category
 * @param requestsPerSecond {@code ok / seconds}
 * @param p50Millis median latency of correct answers
 * @param p99Millis 99th percentile latency of correct answers (nearest rank)
 * @param maxMillis slowest correct answer
 * @param clientCpuMicrosPerRequest the driver JVM's CPU time (all threads, including GC and JIT, and
 *     the canned endpoint when there is one) per measured request
 * @param connects sockets opened over the whole run, warm-up included ({@code connections} when the
 *     server kept every connection alive)
 */
public record LoadResult(String target, String format, int connections, String mix, double seconds, long ok,
    long errors, Map<String, Long> errorReasons, double requestsPerSecond, double p50Millis, double p99Millis,
    double maxMillis, double clientCpuMicrosPerRequest, long connects) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Copies the reasons, sorted. */
  public LoadResult {
    errorReasons = Map.copyOf(new TreeMap<>(errorReasons));
  }

  /** Formats as a few lines of text. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("target=%s format=%s connections=%d mix=[%s]%n", target, format, connections, mix));
    b.append(String.format("  %.1f req/s  p50=%.3f ms  p99=%.3f ms  max=%.3f ms  ok=%d errors=%d in %.2f s%n",
        requestsPerSecond, p50Millis, p99Millis, maxMillis, ok, errors, seconds));
    b.append(String.format("  client cpu %.1f us/request, %d socket(s) opened%n", clientCpuMicrosPerRequest, connects));
    if (!errorReasons.isEmpty()) {
      b.append("  errors by reason: ").append(new TreeMap<>(errorReasons)).append('\n');
    }
    return b.toString();
  }

  /** Formats as a JSON object. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a load result", e);
    }
  }
}
