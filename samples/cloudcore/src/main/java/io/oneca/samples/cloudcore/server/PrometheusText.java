package io.oneca.samples.cloudcore.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes a Micrometer registry in the Prometheus text format (version 0.0.4), so that the sample
 * needs no Prometheus client library: one untyped sample per meter measurement, names with dots
 * turned into underscores and the statistic appended when a meter has several.
 */
final class PrometheusText {
  private PrometheusText() {}

  static String render(MeterRegistry registry) {
    StringBuilder out = new StringBuilder();
    registry.getMeters().stream()
        .sorted(Comparator.comparing((Meter m) -> m.getId().getName()))
        .forEach(meter -> {
          String base = sanitize(meter.getId().getName());
          String labels = meter.getId().getTags().stream()
              .map(PrometheusText::label)
              .collect(Collectors.joining(","));
          int count = 0;
          for (Measurement ignored : meter.measure()) {
            count++;
          }
          for (Measurement m : meter.measure()) {
            double value = m.getValue();
            if (Double.isNaN(value)) {
              continue;
            }
            String name = count == 1 ? base : base + "_" + m.getStatistic().getTagValueRepresentation().toLowerCase(Locale.ROOT);
            out.append(name);
            if (!labels.isEmpty()) {
              out.append('{').append(labels).append('}');
            }
            out.append(' ').append(format(value)).append('\n');
          }
        });
    return out.toString();
  }

  private static String label(Tag tag) {
    String value = tag.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return sanitize(tag.getKey()) + "=\"" + value + "\"";
  }

  private static String sanitize(String name) {
    return name.replaceAll("[^a-zA-Z0-9_:]", "_");
  }

  private static String format(double value) {
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}
