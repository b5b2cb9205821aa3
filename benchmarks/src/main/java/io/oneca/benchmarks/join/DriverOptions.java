package io.oneca.benchmarks.join;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What one {@link SigningLoadDriver} run does. Build with {@link #builder()} or parse the command
 * line with {@link #parse(String[])}.
 *
 * @param url the signer's base URL ({@code http://127.0.0.1:port}); {@code null} with {@code canned}
 * @param canned drive a built-in trivial endpoint instead of {@code url}, to measure the client
 * @param format the request format's name
 * @param target the label printed for the target (default: the format's name, or {@code canned})
 * @param connections concurrent connections, one load thread each
 * @param warmup time spent sending unmeasured requests first
 * @param duration measured time; ignored when {@code requests > 0}
 * @param requests measured request count, or 0 to measure for {@code duration}
 * @param csrs size of the CSR pool generated up front
 * @param mix the CSR mix spec (see {@link CsrMix})
 * @param timeout connect and read timeout per request
 * @param json where to write the result as JSON, or {@code null}
 * @param joinKey the join endpoint's token key file (format {@code oneca-join}), or {@code null}
 * @param trust PEM certificates to trust for an {@code https} URL, or {@code null}
 */
public record DriverOptions(URI url, boolean canned, String format, String target, int connections, Duration warmup,
    Duration duration, long requests, int csrs, String mix, Duration timeout, Path json, Path joinKey, Path trust) {

  static final String USAGE = String.join("\n",
      "usage: SigningLoadDriver (--url http(s)://127.0.0.1:PORT | --canned) [options]",
      "  --format NAME        request format: cfssl (default) or oneca-join (needs --join-key and --trust)",
      "  --join-key FILE      oneca-join: the endpoint's token key file (tokens are minted up front)",
      "  --trust FILE         https: PEM certificates to trust (the endpoint's CA bundle)",
      "  --target LABEL       name printed for the target (default: the format, or 'canned')",
      "  --connections N      concurrent keep-alive connections, one thread each (default 1)",
      "  --warmup D           unmeasured warm-up, e.g. 3s or 500ms (default 3s)",
      "  --duration D         measured time (default 10s)",
      "  --requests N         measure exactly N requests instead of a duration",
      "  --csrs N             CSRs generated up front (default 512)",
      "  --mix SPEC           CSR mix (default " + CsrMix.DEFAULT_SPEC + ")",
      "  --timeout D          connect/read timeout per request (default 10s)",
      "  --json FILE          also write the result as JSON",
      "  --canned             drive a built-in endpoint answering pre-signed certificates:",
      "                       the client's own ceiling and CPU cost per request");

  /** Validates. */
  public DriverOptions {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(mix, "mix");
    Objects.requireNonNull(timeout, "timeout");
    if (canned == (url != null)) {
      throw new IllegalArgumentException("give exactly one of --url and --canned");
    }
    if (url != null && (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null)) {
      throw new IllegalArgumentException("--url must be http(s)://host:port, was " + url);
    }
    if (url != null && "https".equals(url.getScheme()) && trust == null) {
      throw new IllegalArgumentException("an https --url needs --trust FILE (PEM certificates to trust)");
    }
    if (connections < 1 || connections > 1024) {
      throw new IllegalArgumentException("--connections must be 1..1024, was " + connections);
    }
    if (warmup.isNegative() || duration.isNegative() || (requests == 0 && duration.isZero())) {
      throw new IllegalArgumentException("--warmup must be >= 0 and the measurement non-empty");
    }
    if (requests < 0 || csrs < 1 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--requests must be >= 0, --csrs >= 1, --timeout > 0");
    }
    if (target == null) {
      target = canned ? "canned" : format;
    }
  }

  /** Returns a builder with the defaults of the command line. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses command-line arguments (see {@link #USAGE}).
   *
   * @throws IllegalArgumentException on an unknown or malformed argument
   */
  public static DriverOptions parse(String[] args) {
    Builder b = builder();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--canned")) {
        b.canned = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + arg);
      }
      String value = args[++i];
      switch (arg) {
        case "--url" -> b.url = URI.create(value);
        case "--format" -> b.format = value;
        case "--target" -> b.target = value;
        case "--connections" -> b.connections = Integer.parseInt(value);
        case "--warmup" -> b.warmup = duration(value);
        case "--duration" -> b.duration = duration(value);
        case "--requests" -> b.requests = Long.parseLong(value);
        case "--csrs" -> b.csrs = Integer.parseInt(value);
        case "--mix" -> b.mix = value;
        case "--timeout" -> b.timeout = duration(value);
        case "--json" -> b.json = Path.of(value);
        case "--join-key" -> b.joinKey = Path.of(value);
        case "--trust" -> b.trust = Path.of(value);
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    return b.build();
  }

  /** Parses {@code 10s}, {@code 500ms}, {@code 2m} or a bare number of seconds. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 10s, 500ms)", e);
    }
  }

  /** Builds {@link DriverOptions}; every field starts at the command line's default. */
  public static final class Builder {
    private URI url;
    private boolean canned;
    private String format = CfsslSignFormat.NAME;
    private String target;
    private int connections = 1;
    private Duration warmup = Duration.ofSeconds(3);
    private Duration duration = Duration.ofSeconds(10);
    private long requests;
    private int csrs = 512;
    private String mix = CsrMix.DEFAULT_SPEC;
    private Duration timeout = Duration.ofSeconds(10);
    private Path json;
    private Path joinKey;
    private Path trust;

    private Builder() {}

    /** The signer's base URL. Default: none. */
    public Builder url(URI url) {
      this.url = url;
      return this;
    }

    /** Drive the built-in canned endpoint. Default: false. */
    public Builder canned(boolean canned) {
      this.canned = canned;
      return this;
    }

    /** Concurrent connections. Default: 1. */
    public Builder connections(int connections) {
      this.connections = connections;
      return this;
    }

    /** Unmeasured warm-up. Default: 3 s. */
    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /** Measured time. Default: 10 s. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Measured request count, 0 for a duration. Default: 0. */
    public Builder requests(long requests) {
      this.requests = requests;
      return this;
    }

    /** CSR pool size. Default: 512. */
    public Builder csrs(int csrs) {
      this.csrs = csrs;
      return this;
    }

    /** CSR mix spec. Default: {@value CsrMix#DEFAULT_SPEC}. */
    public Builder mix(String mix) {
      this.mix = mix;
      return this;
    }

    /** Per-request timeout. Default: 10 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Request format name. Default: {@code cfssl}. */
    public Builder format(String format) {
      this.format = format;
      return this;
    }

    /** PEM certificates to trust for an https URL. Default: none. */
    public Builder trust(Path trust) {
      this.trust = trust;
      return this;
    }

    /** Builds and validates. */
    public DriverOptions build() {
      return new DriverOptions(url, canned, format, target, connections, warmup, duration, requests, csrs, mix,
          timeout, json, joinKey, trust);
    }
  }
}
