package io.oneca.benchmarks;

import java.util.Arrays;
import java.util.List;

/** Percentiles over measured samples, for the load drivers' reports. */
public record Stats(int count, double p50, double p99, double min, double max) {

  /** Computes nearest-rank percentiles; {@code samples} must not be empty. */
  public static Stats of(List<Double> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    double[] sorted = samples.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return new Stats(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[0], sorted[sorted.length - 1]);
  }

  private static double rank(double[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Formats as {@code n=.. p50=.. p99=.. min=.. max=..} with a unit. */
  public String format(String unit) {
    return String.format("n=%d p50=%.2f%s p99=%.2f%s min=%.2f%s max=%.2f%s", count, p50, unit, p99, unit, min, unit,
        max, unit);
  }
}
