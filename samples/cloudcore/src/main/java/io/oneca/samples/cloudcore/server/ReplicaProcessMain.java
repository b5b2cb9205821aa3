package io.oneca.samples.cloudcore.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one replica as a process and reports on stdout, one line per fact, for the demo and the
 * tests that start replicas as processes:
 * <pre>
 * READY id                                     JVM up, waiting for the start instant
 * STARTED id outcome caFingerprint version publicPort hubPort
 * CA id caFingerprint version                  the replica adopted a new CA record version
 * SERVING id serial issuerFingerprint          the replica's serving certificate: first after STARTED, then on each change
 * </pre>
 * The process runs until its standard input closes or it is terminated.
 */
public final class ReplicaProcessMain {
  private ReplicaProcessMain() {}

  /**
   * Starts the replica, waiting first for {@code startAt} so that several processes bootstrap at
   * the same instant.
   *
   * @param settings how to run
   * @param startAt when to bootstrap (may be in the past)
   * @param out where to report
   * @throws Exception on failure
   */
  @SuppressWarnings("try") // the shutdown hook closes the replica early; close() is idempotent
  public static void run(ReplicaSettings settings, Instant startAt, PrintStream out) throws Exception {
    // Stateful TLS 1.3 resumption only: the session cache is what TlsContexts invalidates when the
    // serving certificate or the trust bundle changes, so no client resumes a session made with a
    // certificate this replica no longer serves. (Stateless tickets would be accepted regardless.)
    System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
    out.println("READY " + settings.replicaId());
    out.flush();
    long wait = Duration.between(Instant.now(), startAt).toMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (CloudCoreReplica replica = CloudCoreReplica.start(settings)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        replica.close();
        stop.countDown();
      }, "cloudcore-shutdown"));
      var bootstrap = replica.bootstrap();
      synchronized (out) {
        out.println("STARTED " + replica.id() + " " + bootstrap.outcome() + " " + bootstrap.ca().fingerprint().sha256Hex()
            + " " + bootstrap.ca().storeVersion() + " " + replica.publicAddress().getPort() + " "
            + replica.hubAddress().getPort());
        out.flush();
      }
      replica.oneCa().onCaChange(ca -> report(out, "CA " + replica.id() + " " + ca.fingerprint().sha256Hex() + " "
          + ca.storeVersion()));
      replica.identity().onRenewal(snapshot -> report(out, "SERVING " + replica.id() + " "
          + snapshot.certificate().getSerialNumber().toString(16) + " " + snapshot.caFingerprint().sha256Hex()));
      synchronized (out) {
        // The certificate served from the start; a renewal racing with this line is reported after it.
        var first = replica.identity().current();
        report(out, "SERVING " + replica.id() + " " + first.certificate().getSerialNumber().toString(16) + " "
            + first.caFingerprint().sha256Hex());
      }
      Thread stdin = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
          while (in.readLine() != null) {
            // only waiting for end of input
          }
        } catch (IOException e) {
          // treated as end of input
        }
        stop.countDown();
      }, "cloudcore-stdin");
      stdin.setDaemon(true);
      stdin.start();
      stop.await();
    }
  }

  private static void report(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
