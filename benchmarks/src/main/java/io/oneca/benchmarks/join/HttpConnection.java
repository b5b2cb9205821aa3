package io.oneca.benchmarks.join;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 client connection with keep-alive over a plain socket (or a TLS socket, handshaken
 * once per connection with host name verification, for an {@code https} signer): the least a load client can
 * do per request (one write of a pre-encoded request, one buffered read of status line, headers and
 * a {@code Content-Length} or chunked body), so that what is measured is the server. Not
 * thread-safe: one connection per load thread. Reconnects by itself when the server closed the
 * connection ({@code Connection: close} or EOF before a new response).
 */
final class HttpConnection implements Closeable {
  private static final int MAX_HEADER_LINE = 8192;
  private static final int MAX_BODY = 16 * 1024 * 1024;

  private final InetSocketAddress address;
  private final int timeoutMillis;
  private final SSLSocketFactory tls;
  private Socket socket;
  private OutputStream out;
  private InputStream in;
  private long connects;

  /** A response: status and body. */
  record Response(int status, byte[] body) {}

  HttpConnection(InetSocketAddress address, int timeoutMillis) {
    this(address, timeoutMillis, null);
  }

  /** A connection that speaks TLS with {@code tls}'s sockets, or plain when it is {@code null}. */
  HttpConnection(InetSocketAddress address, int timeoutMillis, SSLSocketFactory tls) {
    this.address = address;
    this.timeoutMillis = timeoutMillis;
    this.tls = tls;
  }

  /**
   * Encodes a POST request once, so sending it costs one write.
   *
   * @return the bytes of the whole request
   */
  static byte[] encodePost(String host, String path, String contentType, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder(256)
        .append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("Content-Type: ").append(contentType).append("\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[h.length + body.length];
    System.arraycopy(h, 0, request, 0, h.length);
    System.arraycopy(body, 0, request, h.length, body.length);
    return request;
  }

  /** Opens the socket if it is not open; idempotent. */
  void connect() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(timeoutMillis);
      s.connect(address, timeoutMillis);
      if (tls != null) {
        SSLSocket secure = (SSLSocket) tls.createSocket(s, address.getHostString(), address.getPort(), true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        s = secure;
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    out = s.getOutputStream();
    in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
    connects++;
  }

  /** Returns how many times this connection opened a socket. */
  long connects() {
    return connects;
  }

  /**
   * Sends a pre-encoded request and reads the response. On any I/O error the socket is closed
   * (the next call reconnects) and the error is thrown.
   */
  Response exchange(byte[] request) throws IOException {
    connect();
    try {
      out.write(request);
      out.flush();
      return read();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Response read() throws IOException {
    String statusLine = line();
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("malformed status line");
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = statusLine.startsWith("HTTP/1.0");
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line");
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close")
            || (closeAfter && !value.equalsIgnoreCase("keep-alive"));
        default -> { }
      }
    }
    byte[] body;
    if (chunked) {
      body = chunkedBody();
    } else if (length >= 0) {
      body = exactly(checkedLength(length));
    } else {
      body = in.readAllBytes();
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(status, body);
  }

  private byte[] chunkedBody() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
    while (true) {
      String sizeLine = line();
      int semicolon = sizeLine.indexOf(';');
      long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers are ignored
        }
        return body.toByteArray();
      }
      body.write(exactly(checkedLength(body.size() + size) - body.size()));
      if (!line().isEmpty()) {
        throw new IOException("malformed chunk");
      }
    }
  }

  private static int checkedLength(long length) throws IOException {
    if (length < 0 || length > MAX_BODY) {
      throw new IOException("response body too large: " + length);
    }
    return (int) length;
  }

  private byte[] exactly(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length != n) {
      throw new EOFException("connection closed inside a response body");
    }
    return bytes;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      if (line.length() >= MAX_HEADER_LINE) {
        throw new IOException("response header line too long");
      }
      line.append((char) c);
    }
  }

  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    out = null;
    in = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a broken socket: nothing to report
      }
    }
  }
}
