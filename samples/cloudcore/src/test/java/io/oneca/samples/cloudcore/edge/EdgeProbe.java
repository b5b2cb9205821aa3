package io.oneca.samples.cloudcore.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/** Lets tests open a connection with exactly the TLS material an edge uses. */
public final class EdgeProbe {
  private EdgeProbe() {}

  /**
   * Connects to {@code address} as a new client with the edge's key, certificate and trust (a fresh
   * context: no cached session to resume), and completes the handshake.
   */
  public static SSLSocket connect(EdgeNode edge, InetSocketAddress address) throws IOException {
    return TinyHttps.connect(edge.freshTls(), address, Duration.ofSeconds(5));
  }
}
