package io.oneca.samples.cloudcore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} command-line options; a repeated option keeps every value. */
final class Args {
  private final Map<String, List<String>> values = new HashMap<>();

  private Args() {}

  static Args parse(String[] args, int from, Set<String> known, Set<String> flags) {
    Args parsed = new Args();
    for (int i = from; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--") || !(known.contains(name.substring(2)) || flags.contains(name.substring(2)))) {
        throw new UsageException("unknown option " + name);
      }
      String key = name.substring(2);
      if (flags.contains(key)) {
        parsed.values.computeIfAbsent(key, k -> new ArrayList<>()).add("true");
        continue;
      }
      if (i + 1 >= args.length) {
        throw new UsageException(name + " needs a value");
      }
      parsed.values.computeIfAbsent(key, k -> new ArrayList<>()).add(args[++i]);
    }
    return parsed;
  }

  Optional<String> get(String name) {
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  String require(String name) {
    return get(name).orElseThrow(() -> new UsageException("--" + name + " is required"));
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  int integer(String name, int otherwise) {
    try {
      return get(name).map(Integer::parseInt).orElse(otherwise);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number");
    }
  }

  /** Parses {@code 90s}, {@code 15m}, {@code 2h}, {@code 500ms} or an ISO-8601 duration. */
  Duration duration(String name, Duration otherwise) {
    Optional<String> text = get(name);
    if (text.isEmpty()) {
      return otherwise;
    }
    String t = text.get().trim();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      switch (t.charAt(t.length() - 1)) {
        case 's': return Duration.ofSeconds(n);
        case 'm': return Duration.ofMinutes(n);
        case 'h': return Duration.ofHours(n);
        case 'd': return Duration.ofDays(n);
        default: return Duration.parse(t);
      }
    } catch (RuntimeException e) {
      throw new UsageException("--" + name + " must be a duration like 90s, 15m or 2h, was " + t);
    }
  }

  /** A wrong command line; the message is meant for the user. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
