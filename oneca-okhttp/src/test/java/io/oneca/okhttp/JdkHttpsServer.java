package io.oneca.okhttp;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Test support: the JDK's HTTPS server on a free loopback port. Every response body is the serial
 * number (hex) of the client certificate of the request's TLS session, or {@code -}.
 */
final class JdkHttpsServer implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  JdkHttpsServer(SSLContext context, boolean needClientAuth) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters parameters) {
        SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
        ssl.setNeedClientAuth(needClientAuth);
        parameters.setSSLParameters(ssl);
      }
    });
    server.createContext("/", exchange -> {
      String serial;
      try {
        serial = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0])
            .getSerialNumber().toString(16);
      } catch (SSLPeerUnverifiedException none) {
        serial = "-";
      }
      byte[] body = serial.getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the HTTPS server's threads did not stop in 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
