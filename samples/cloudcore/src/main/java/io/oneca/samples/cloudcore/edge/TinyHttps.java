package io.oneca.samples.cloudcore.edge;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately small HTTP/1.1 client over one {@link SSLSocket} per request: every request is a
 * fresh TLS handshake (the edges' traffic is meant to exercise trust on every connection), the
 * server's name is checked against its certificate, and every read has a timeout. Reads
 * {@code Content-Length}, chunked and close-delimited bodies.
 */
final class TinyHttps {
  private static final int MAX_BODY = 1 << 20;
  private static final int MAX_LINE = 8 * 1024;

  private TinyHttps() {}

  /** A complete answer. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Connects and completes the TLS handshake.
   *
   * @throws IOException if connecting or the handshake fails
   */
  static SSLSocket connect(SSLContext tls, InetSocketAddress address, Duration timeout) throws IOException {
    Socket raw = new Socket();
    try {
      raw.connect(address, (int) timeout.toMillis());
      raw.setSoTimeout((int) timeout.toMillis());
      raw.setTcpNoDelay(true);
      SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, address.getHostString(), address.getPort(), true);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      try {
        socket.startHandshake();
      } catch (IOException e) {
        throw refusedOr(socket, address, e);
      }
      return socket;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Sends one request on a new connection and reads the whole answer. */
  static Response exchange(SSLContext tls, InetSocketAddress address, String method, String path, byte[] body,
      Duration timeout) throws IOException {
    try (SSLSocket socket = connect(tls, address, timeout)) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      int status;
      try {
        // With TLS 1.3 the handshake may complete before the replica has checked our certificate.
        writeRequest(socket, address, method, path, body, true);
        status = readStatus(in);
      } catch (IOException e) {
        throw refusedOr(socket, address, e);
      } finally {
        PresentingKeyManager.presentedOn(socket);
      }
      Map<String, String> headers = readHeaders(in);
      return new Response(status, headers, readAll(bodyStream(in, headers)));
    }
  }

  /**
   * Returns a trust failure instead of {@code failure} when the connection broke at the transport
   * level after the replica asked for a certificate from CAs other than this edge's (see
   * {@link PresentingKeyManager}); otherwise {@code failure}.
   */
  private static IOException refusedOr(SSLSocket socket, InetSocketAddress address, IOException failure) {
    if (failure instanceof SSLException || !PresentingKeyManager.presentedOn(socket)) {
      return failure;
    }
    SSLHandshakeException refused = new SSLHandshakeException("the replica at " + address + " accepts client "
        + "certificates only from other CAs than this edge's, and closed the connection: it does not trust this "
        + "edge's certificate (" + failure + ")");
    refused.initCause(failure);
    return refused;
  }

  static void writeRequest(SSLSocket socket, InetSocketAddress address, String method, String path, byte[] body,
      boolean close) throws IOException {
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(address.getHostString()).append(':').append(address.getPort()).append("\r\n")
        .append("User-Agent: cloudcore-edge\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
  }

  static int readStatus(InputStream in) throws IOException {
    String line = readLine(in);
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status " + parts[1], e);
    }
  }

  static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      String line = readLine(in);
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    throw new IOException("too many headers");
  }

  /** Returns the body of an answer as a stream, decoding chunks when the server sent them. */
  static InputStream bodyStream(InputStream in, Map<String, String> headers) throws IOException {
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      return new Chunked(in);
    }
    String length = headers.get("content-length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length);
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length", e);
      }
      if (n < 0 || n > MAX_BODY) {
        throw new IOException("Content-Length out of range: " + n);
      }
      return new java.io.ByteArrayInputStream(in.readNBytes((int) n));
    }
    return in;
  }

  static byte[] readAll(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new IOException("answer larger than " + MAX_BODY + " bytes");
    }
    return body;
  }

  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
      if (line.size() > MAX_LINE) {
        throw new IOException("line longer than " + MAX_LINE + " bytes");
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /** Decodes an HTTP/1.1 chunked body. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = readLine(in);
        int semicolon = size.indexOf(';');
        try {
          left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size", e);
        }
        if (left == 0) {
          done = true;
          readLine(in);
          return -1;
        }
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      left -= n;
      if (left == 0) {
        readLine(in);
      }
      return n;
    }
  }
}
