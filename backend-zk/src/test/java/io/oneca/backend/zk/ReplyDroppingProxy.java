package io.oneca.backend.zk;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a ZooKeeper server that, when armed, lets the next write request
 * (create, delete, setData, multi) through and then drops the connection at the moment the server's reply
 * to it arrives: the write is applied, the client sees ConnectionLoss and never gets the reply.
 * Frames are ZooKeeper's length-prefixed packets; the first one each way is the session handshake.
 */
final class ReplyDroppingProxy implements AutoCloseable {
  private static final List<Integer> WRITE_OPS = List.of(1, 2, 5, 14, 15, 19, 20); // 14: multi

  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicInteger dropped = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  ReplyDroppingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "reply-dropping-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String connectString() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Drops the reply to the next write request. */
  void armOnce() {
    armed.set(true);
  }

  /** Returns how many write replies were dropped so far. */
  int droppedReplies() {
    return dropped.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        sockets.add(client);
        sockets.add(server);
        AtomicInteger cutXid = new AtomicInteger(Integer.MIN_VALUE);
        start(() -> pumpRequests(client, server, cutXid));
        start(() -> pumpReplies(server, client, cutXid));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pumpRequests(Socket from, Socket to, AtomicInteger cutXid) {
    try (DataInputStream in = new DataInputStream(from.getInputStream())) {
      DataOutputStream out = new DataOutputStream(to.getOutputStream());
      boolean handshake = true;
      while (true) {
        byte[] frame = readFrame(in);
        if (!handshake && frame.length >= 8) {
          ByteBuffer header = ByteBuffer.wrap(frame);
          int xid = header.getInt();
          int type = header.getInt();
          if (WRITE_OPS.contains(type) && armed.compareAndSet(true, false)) {
            cutXid.set(xid);
          }
        }
        handshake = false;
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
      }
    } catch (IOException e) {
      closeQuietly(from, to);
    }
  }

  private void pumpReplies(Socket from, Socket to, AtomicInteger cutXid) {
    try (DataInputStream in = new DataInputStream(from.getInputStream())) {
      DataOutputStream out = new DataOutputStream(to.getOutputStream());
      boolean handshake = true;
      while (true) {
        byte[] frame = readFrame(in);
        if (!handshake && frame.length >= 4 && ByteBuffer.wrap(frame).getInt() == cutXid.get()) {
          dropped.incrementAndGet();
          closeQuietly(from, to);
          return;
        }
        handshake = false;
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
      }
    } catch (IOException e) {
      closeQuietly(from, to);
    }
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 4 * 1024 * 1024) {
      throw new IOException("bad frame length " + length);
    }
    byte[] frame = new byte[length];
    in.readFully(frame);
    return frame;
  }

  private static void start(Runnable pump) {
    Thread thread = new Thread(pump, "reply-dropping-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
