package io.oneca.core.tls;

import io.oneca.api.Fingerprint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Finds a listener that serves something other than what it should: a process that kept an old
 * certificate after renewal (the kops and Kong incidents) is otherwise invisible until the
 * certificate expires. Connects to the live listener, records the certificate it presents during the
 * handshake (trusting nothing, so no data is exchanged) and compares fingerprints.
 */
public final class DriftDetector {
  private final InstantSource clock;
  private final Duration timeout;

  private DriftDetector(InstantSource clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * Returns a detector.
   *
   * @param clock the time source for report timestamps
   * @param timeout the bound on connecting and on the handshake
   */
  public static DriftDetector create(InstantSource clock, Duration timeout) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new DriftDetector(clock, timeout);
  }

  /**
   * Handshakes with a live listener and compares what it serves with {@code expected}.
   *
   * @param listener the listener's address
   * @param expected the leaf certificate the listener should present; works for listeners that demand
   *     client certificates too, since the probe stops once it has the server's certificate
   * @return the comparison; a failed connection is reported as drifted with no served certificate
   */
  public DriftReport checkListener(InetSocketAddress listener, X509Certificate expected) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(expected, "expected");
    String target = listener.getHostString() + ":" + listener.getPort();
    AtomicReference<X509Certificate> served = new AtomicReference<>();
    String failure = null;
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new CapturingTrustManager(served)}, new SecureRandom());
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
        socket.connect(listener, (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        socket.startHandshake();
      }
    } catch (IOException | GeneralSecurityException e) {
      if (served.get() == null) {
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
    return compare(target, expected, Optional.ofNullable(served.get()), failure);
  }

  /**
   * Compares what a key manager would serve now with {@code expected}, without a connection.
   *
   * @param keyManager the manager a listener uses
   * @param expected the leaf it should serve
   */
  public DriftReport checkKeyManager(ReloadingX509KeyManager keyManager, X509Certificate expected) {
    Objects.requireNonNull(keyManager, "keyManager");
    Objects.requireNonNull(expected, "expected");
    Optional<X509Certificate> served = keyManager.currentChain().map(chain -> chain.get(0));
    return compare("key-manager", expected, served, served.isEmpty() ? "the key manager holds nothing" : null);
  }

  private DriftReport compare(String target, X509Certificate expected, Optional<X509Certificate> served,
      String failure) {
    Fingerprint want = Fingerprint.of(expected);
    Optional<Fingerprint> got = served.map(Fingerprint::of);
    if (got.isEmpty()) {
      return new DriftReport(target, true, want, got, clock.instant(),
          target + " presented no certificate" + (failure == null ? "" : " (" + failure + ")"));
    }
    if (got.get().equals(want)) {
      return new DriftReport(target, false, want, got, clock.instant(),
          target + " serves the expected certificate " + want.shortForm());
    }
    X509Certificate leaf = served.get();
    return new DriftReport(target, true, want, got, clock.instant(),
        target + " serves " + got.get().shortForm() + " (serial " + leaf.getSerialNumber().toString(16)
            + ", expires " + leaf.getNotAfter().toInstant() + ") instead of " + want.shortForm());
  }

  /** Records the server's leaf and then refuses it, so the probe never completes a session. */
  private static final class CapturingTrustManager implements X509TrustManager {
    private final AtomicReference<X509Certificate> served;

    CapturingTrustManager(AtomicReference<X509Certificate> served) {
      this.served = served;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("drift probe accepts no clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      if (chain != null && chain.length > 0) {
        served.set(chain[0]);
      }
      throw new java.security.cert.CertificateException("drift probe: certificate recorded, handshake stopped");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return List.<X509Certificate>of().toArray(new X509Certificate[0]);
    }
  }
}
