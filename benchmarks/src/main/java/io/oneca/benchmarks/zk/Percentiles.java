package io.oneca.benchmarks.zk;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a sample, in milliseconds.
 *
 * @param count the number of samples
 * @param p50 the median
 * @param p99 the 99th percentile
 * @param max the largest sample
 */
public record Percentiles(int count, double p50, double p99, double max) {

  /** Computes the percentiles of samples given in nanoseconds. */
  static Percentiles ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Percentiles(sorted.length, millis(rank(sorted, 0.50)), millis(rank(sorted, 0.99)),
        millis(sorted[sorted.length - 1]));
  }

  private static long rank(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double millis(long nanos) {
    return nanos / 1_000_000.0;
  }

  @Override
  public String toString() {
    return String.format("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms", count, p50, p99, max);
  }
}
