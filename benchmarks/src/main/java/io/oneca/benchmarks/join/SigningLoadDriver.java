package io.oneca.benchmarks.join;

import io.oneca.benchmarks.Stats;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocketFactory;

/**
 * Closed-loop load generator for certificate signing endpoints (issue 10's side-by-side race):
 * {@code N} threads, each with its own HTTP/1.1 keep-alive {@link HttpConnection}, send signing
 * requests from a {@link CsrMix} generated up front, back to back, first for an unmeasured warm-up
 * and then for a measured duration or request count. Every answer is checked by the
 * {@link RequestFormat}: a failed exchange or a wrong answer counts as an error, never as throughput.
 * Prints requests per second, p50 and p99 latency of correct answers, errors by category, and the
 * client's own CPU time per request.
 *
 * <p>Requests are taken from the pool in one global order (a shared counter), so every target sees
 * the same sequence of key types. A request counts in the measured window only if it started after
 * the warm-up and, in duration mode, finished before the end; a request straddling the end is
 * dropped from both counts.
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*' \
 *     io.oneca.benchmarks.join.SigningLoadDriver --url http://127.0.0.1:8888 --connections 8
 * </pre>
 * Exit status: 0 when every measured answer was correct, 1 when there were errors or no correct
 * answer, 2 on bad arguments.
 */
public final class SigningLoadDriver {
  private final DriverOptions options;
  private final RequestFormat format;
  private final CsrMix mix;

  /**
   * Creates a driver.
   *
   * @param options what to run
   * @param format how to ask and check
   * @param mix the CSRs to send
   */
  public SigningLoadDriver(DriverOptions options, RequestFormat format, CsrMix mix) {
    this.options = options;
    this.format = format;
    this.mix = mix;
  }

  /** Runs the command line (see {@link DriverOptions#USAGE}). */
  public static void main(String[] args) throws Exception {
    DriverOptions options;
    RequestFormat format;
    try {
      options = DriverOptions.parse(args);
      format = RequestFormats.forOptions(options);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      System.err.println(e.getMessage());
      System.err.println(DriverOptions.USAGE);
      System.exit(2);
      return;
    }
    CsrMix mix = CsrMix.generate(options.mix(), options.csrs(), format.nodeNamedCsrs());
    LoadResult result;
    if (options.canned()) {
      try (CannedCfsslEndpoint endpoint = CannedCfsslEndpoint.start(mix, format, options.connections())) {
        result = new SigningLoadDriver(options, format, mix).run(endpoint.url());
      }
    } else {
      result = new SigningLoadDriver(options, format, mix).run(options.url());
    }
    System.out.print(result.toText());
    if (options.json() != null) {
      Files.writeString(options.json(), result.toJson() + "\n");
    }
    System.exit(result.errors() == 0 && result.ok() > 0 ? 0 : 1);
  }

  /**
   * Runs the load against {@code url} and returns the measured result.
   *
   * @param url the signer's base URL, {@code http://host:port} or {@code https://host:port} (trusting
   *     {@link DriverOptions#trust()})
   */
  public LoadResult run(URI url) throws InterruptedException {
    InetSocketAddress address = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
    String host = url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    List<byte[]> requests = new ArrayList<>(mix.samples().size());
    for (CsrSample csr : mix.samples()) {
      requests.add(HttpConnection.encodePost(host, format.path(), format.contentType(), format.headers(),
          format.body(csr)));
    }
    SSLSocketFactory tls = "https".equals(url.getScheme()) ? TrustedTls.socketFactory(options.trust()) : null;
    int n = options.connections();
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis());
    AtomicLong sequence = new AtomicLong();
    AtomicLong budget = new AtomicLong(options.requests());
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    long[] window = new long[2];
    Worker[] workers = new Worker[n];
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      workers[i] = new Worker(new HttpConnection(address, timeoutMillis, tls), requests, sequence, budget, ready, go,
          window);
      threads[i] = new Thread(workers[i], "load-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
    long connectBound = System.nanoTime() + options.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
    if (!ready.await(Math.max(0, connectBound - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      go.countDown();
      throw new IllegalStateException("load threads did not become ready within " + options.timeout());
    }
    long start = System.nanoTime();
    window[0] = start + options.warmup().toNanos();
    window[1] = options.requests() > 0 ? Long.MAX_VALUE : window[0] + options.duration().toNanos();
    go.countDown();
    TimeUnit.NANOSECONDS.sleep(Math.max(0, window[0] - System.nanoTime()));
    long cpuStart = processCpuNanos();
    long joinBound = (options.requests() > 0 ? options.requests() * options.timeout().toNanos()
        : options.duration().toNanos() + options.timeout().toNanos()) + TimeUnit.SECONDS.toNanos(5);
    long deadline = System.nanoTime() + joinBound;
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (thread.isAlive()) {
        throw new IllegalStateException(thread.getName() + " did not finish within its bound");
      }
    }
    long cpu = processCpuNanos() - cpuStart;
    return summarize(workers, window[0], window[1], cpu);
  }

  private LoadResult summarize(Worker[] workers, long measureStart, long measureEnd, long cpuNanos) {
    long ok = 0;
    long errors = 0;
    long connects = 0;
    long end = measureStart;
    Map<String, Long> reasons = new HashMap<>();
    List<Double> latencies = new ArrayList<>();
    for (Worker w : workers) {
      ok += w.ok;
      errors += w.errors;
      connects += w.connection.connects();
      end = Math.max(end, w.lastMeasuredEnd);
      w.reasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
      for (int i = 0; i < w.latencyCount; i++) {
        latencies.add(w.latencies[i] / 1e6);
      }
    }
    if (measureEnd != Long.MAX_VALUE) {
      end = measureEnd;
    }
    double seconds = Math.max(1e-9, (end - measureStart) / 1e9);
    Stats stats = latencies.isEmpty() ? new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN)
        : Stats.of(latencies);
    long measured = ok + errors;
    double cpuPerRequest = measured == 0 ? Double.NaN : cpuNanos / 1e3 / measured;
    return new LoadResult(options.target(), format.name(), options.connections(), mix.describe(), seconds, ok, errors,
        reasons, ok / seconds, stats.p50(), stats.p99(), stats.max(), cpuPerRequest, connects);
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** One connection's closed loop. Fields are read by the driver after join (happens-before). */
  private final class Worker implements Runnable {
    final HttpConnection connection;
    final List<byte[]> requests;
    final AtomicLong sequence;
    final AtomicLong budget;
    final CountDownLatch ready;
    final CountDownLatch go;
    final long[] window;
    final Map<String, Long> reasons = new HashMap<>();
    long[] latencies = new long[1024];
    int latencyCount;
    long ok;
    long errors;
    long lastMeasuredEnd;

    Worker(HttpConnection connection, List<byte[]> requests, AtomicLong sequence, AtomicLong budget,
        CountDownLatch ready, CountDownLatch go, long[] window) {
      this.connection = connection;
      this.requests = requests;
      this.sequence = sequence;
      this.budget = budget;
      this.ready = ready;
      this.go = go;
      this.window = window;
    }

    @Override
    public void run() {
      try {
        try {
          connection.connect();
        } catch (IOException e) {
          // counted when the first request fails to reconnect
        }
        ready.countDown();
        go.await();
        loop(window[0], window[1]);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        connection.close();
      }
    }

    private void loop(long measureStart, long measureEnd) {
      boolean counted = options.requests() > 0;
      while (true) {
        long begin = System.nanoTime();
        if (begin >= measureEnd) {
          return;
        }
        boolean measured = begin >= measureStart;
        if (measured && counted && budget.getAndDecrement() <= 0) {
          return;
        }
        long index = sequence.getAndIncrement();
        CsrSample csr = mix.get(index);
        String failure = null;
        try {
          HttpConnection.Response response = connection.exchange(requests.get((int) (index % requests.size())));
          format.check(response.status(), response.body(), csr);
        } catch (RejectedResponse e) {
          failure = e.getMessage();
        } catch (IOException | RuntimeException e) {
          failure = "io " + e.getClass().getSimpleName();
        }
        long done = System.nanoTime();
        if (!measured || (!counted && done > measureEnd)) {
          continue;
        }
        lastMeasuredEnd = Math.max(lastMeasuredEnd, done);
        if (failure == null) {
          ok++;
          record(done - begin);
        } else {
          errors++;
          reasons.merge(failure, 1L, Long::sum);
        }
      }
    }

    private void record(long nanos) {
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = nanos;
    }
  }
}
