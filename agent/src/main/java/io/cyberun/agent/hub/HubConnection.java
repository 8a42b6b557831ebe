package io.cyberun.agent.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One WebSocket connection to agent-hub. Messages are JSON text frames; sends are serialized (the JDK client
 * allows one outstanding send). {@link #closed()} completes when the connection ends, however it ends.
 */
public final class HubConnection implements WebSocket.Listener {
    private final ObjectMapper json;
    private final Consumer<HubMessage> onMessage;
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile long lastHeard = System.nanoTime();

    private HubConnection(ObjectMapper json, Consumer<HubMessage> onMessage) {
        this.json = json;
        this.onMessage = onMessage;
    }

    /** Opens the connection; fails with a {@link java.net.http.WebSocketHandshakeException} when the hub refuses it. */
    public static HubConnection open(HttpClient http, URI uri, String key, ObjectMapper json, Consumer<HubMessage> onMessage) {
        HubConnection connection = new HubConnection(json, onMessage);
        connection.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + key)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, connection)
                .join();
        return connection;
    }

    public synchronized void send(AgentMessage message) throws Exception {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            throw new IllegalStateException("not connected");
        }
        ws.sendText(json.writeValueAsString(message), true).get(15, TimeUnit.SECONDS);
    }

    /** Completes with the close reason when the connection ends. */
    public CompletableFuture<String> closed() {
        return closed;
    }

    public boolean isOpen() {
        WebSocket ws = socket;
        return ws != null && !ws.isOutputClosed() && !closed.isDone();
    }

    public void close(String reason) {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, reason).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
        closed.complete(reason);
    }

    /** {@link System#nanoTime()} of the last frame from the hub, pings included. */
    public long lastHeard() {
        return lastHeard;
    }

    /** Drops the connection without a closing handshake (the other side is not answering). */
    public void abort(String reason) {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        closed.complete(reason);
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        lastHeard = System.nanoTime();
        return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastHeard = System.nanoTime();
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                onMessage.accept(json.readValue(text, HubMessage.class));
            } catch (Exception e) {
                AgentLog.warn("could not handle a message from the hub: %s", e.getMessage());
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete("closed by the hub (" + statusCode + (reason == null || reason.isBlank() ? "" : ": " + reason) + ")");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("connection error: " + error.getMessage());
    }
}
