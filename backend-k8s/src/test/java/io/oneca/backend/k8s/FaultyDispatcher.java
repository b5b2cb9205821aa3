package io.oneca.backend.k8s;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Injects faults into the mock API server's HTTP exchanges: a write refused with 500, a write
 * applied whose reply is a 500 or arrives after the client's timeout, or a 409 on a write that was
 * not applied. Faults are programmed one by one ({@link #next}) or drawn at random for every write
 * ({@link #randomWrites}). Watch responses get {@link OffLoopWebSocketListener} (a mock-server
 * deadlock workaround).
 */
final class FaultyDispatcher extends Dispatcher {
  enum Fault {
    /** 500, not applied. */
    REFUSE_500,
    /** Applied, then answered with 500. */
    APPLY_THEN_500,
    /** Applied, answer delayed past the client's timeout. */
    APPLY_THEN_TIMEOUT,
    /** 409, not applied: "a conflict on what looked like a first create". */
    FAKE_409
  }

  private record Rule(Predicate<RecordedRequest> matches, Fault fault) {}

  private final Dispatcher delegate;
  private final ConcurrentLinkedQueue<Rule> rules = new ConcurrentLinkedQueue<>();
  private final AtomicInteger injected = new AtomicInteger();
  private final ExecutorService closer = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "mock-watch-closer");
    thread.setDaemon(true);
    return thread;
  });
  private volatile double probability;
  private volatile Random random = new Random(0);
  private volatile Duration timeoutDelay = Duration.ofSeconds(3);

  FaultyDispatcher(Dispatcher delegate) {
    this.delegate = delegate;
  }

  static Predicate<RecordedRequest> request(String method, String pathFragment) {
    return r -> r.getMethod().equalsIgnoreCase(method) && r.getPath().contains(pathFragment);
  }

  /** Matches writes of record Secrets (not of the version counter) with the given HTTP method. */
  static Predicate<RecordedRequest> recordWrite(String method) {
    return r -> r.getMethod().equalsIgnoreCase(method) && !r.getPath().contains("version.counter")
        && (method.equalsIgnoreCase("DELETE") || new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8).contains("oneca.io/key"));
  }

  /** Injects {@code fault} into the next request that matches. */
  void next(Predicate<RecordedRequest> matches, Fault fault) {
    rules.add(new Rule(matches, fault));
  }

  /** Injects a random fault into each write (POST, PUT, DELETE) with the given probability. */
  void randomWrites(double probability, long seed) {
    this.random = new Random(seed);
    this.probability = probability;
  }

  void timeoutDelay(Duration delay) {
    this.timeoutDelay = delay;
  }

  int injected() {
    return injected.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Fault fault = null;
    for (Rule rule : rules) {
      if (rule.matches.test(request) && rules.remove(rule)) {
        fault = rule.fault;
        break;
      }
    }
    if (fault == null && probability > 0 && isWrite(request)) {
      synchronized (this) {
        if (random.nextDouble() < probability) {
          fault = Fault.values()[random.nextInt(Fault.values().length)];
        }
      }
    }
    if (fault == null) {
      MockResponse response = delegate.dispatch(request);
      if (response.getWebSocketListener() != null) {
        response.withWebSocketUpgrade(new OffLoopWebSocketListener(response.getWebSocketListener(), closer));
      }
      return response;
    }
    injected.incrementAndGet();
    return switch (fault) {
      case REFUSE_500 -> status(500, "InternalError");
      case FAKE_409 -> status(409, "AlreadyExists");
      case APPLY_THEN_500 -> {
        delegate.dispatch(request);
        yield status(500, "InternalError");
      }
      case APPLY_THEN_TIMEOUT -> delegate.dispatch(request).setBodyDelay(timeoutDelay);
    };
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
    closer.shutdown();
  }

  private static boolean isWrite(RecordedRequest request) {
    String method = request.getMethod().toUpperCase(java.util.Locale.ROOT);
    return method.equals("POST") || method.equals("PUT") || method.equals("DELETE");
  }

  private static MockResponse status(int code, String reason) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + reason
            + "\",\"message\":\"injected by the test\",\"code\":" + code + "}");
  }
}
