package io.oneca.backend.k8s;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.ExecutorService;

/**
 * Works around a deadlock in fabric8's mock server 7.8.0: when a watch connection closes,
 * {@code WatchEventsListener.onClosed/onFailure} waits on the server's only event-loop thread for
 * its event executor, whose pending {@code send} waits up to 30 s for that same event loop; the
 * whole mock API server then stalls. Running the close callbacks on another thread removes the
 * cycle; the watch logic itself is untouched.
 */
final class OffLoopWebSocketListener extends WebSocketListener {
  private final WebSocketListener delegate;
  private final ExecutorService closer;

  OffLoopWebSocketListener(WebSocketListener delegate, ExecutorService closer) {
    this.delegate = delegate;
    this.closer = closer;
  }

  @Override
  public void onBeforeAccept(WebSocket webSocket, Response response) {
    delegate.onBeforeAccept(webSocket, response);
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    delegate.onOpen(webSocket, response);
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    delegate.onMessage(webSocket, text);
  }

  @Override
  public void onMessage(WebSocket webSocket, byte[] bytes) {
    delegate.onMessage(webSocket, bytes);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    delegate.onClosing(webSocket, code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    closer.execute(() -> delegate.onClosed(webSocket, code, reason));
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    closer.execute(() -> delegate.onFailure(webSocket, error, response));
  }
}
