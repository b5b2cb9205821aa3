package io.oneca.benchmarks.etcd;

import java.util.Arrays;
import java.util.List;

/**
 * Percentiles of a set of measured durations, in milliseconds.
 *
 * @param count how many were measured
 * @param p50Millis the median
 * @param p99Millis the 99th percentile (nearest rank)
 * @param maxMillis the largest
 */
public record Latencies(int count, double p50Millis, double p99Millis, double maxMillis) {

  /**
   * Computes the percentiles.
   *
   * @param nanos the durations in nanoseconds; at least one
   * @return the percentiles
   */
  public static Latencies of(List<Long> nanos) {
    if (nanos.isEmpty()) {
      throw new IllegalArgumentException("nothing was measured");
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new Latencies(sorted.length, millis(rank(sorted, 0.50)), millis(rank(sorted, 0.99)), millis(sorted[sorted.length - 1]));
  }

  private static long rank(long[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double millis(long nanos) {
    return nanos / 1_000_000.0;
  }

  @Override
  public String toString() {
    return String.format("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms", count, p50Millis, p99Millis, maxMillis);
  }
}
