package io.oneca.benchmarks.etcd;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} arguments of the etcd load drivers. */
final class BenchArgs {
  private final Map<String, String> values = new HashMap<>();

  BenchArgs(String[] args, List<String> known) {
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !known.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: " + String.join(" ", known.stream().map(k -> "[--" + k + " value]").toList())
            + "; got '" + args[i] + "'");
      }
      values.put(name, args[++i]);
    }
  }

  int intValue(String name, int defaultValue) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : defaultValue;
  }

  /** The endpoints given with {@code --endpoints h:p,h:p}, or empty to start a local etcd. */
  List<String> endpoints() {
    String given = values.get("endpoints");
    return given == null ? List.of() : List.of(given.split(","));
  }
}
