package io.cyberun.agent.tunnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.TunnelProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@code websocket} stream: after the upgrade request, the agent opens a WebSocket to the port and each message is
 * passed on as a message of the same kind, both ways; a side asks for its next message only once the previous one
 * was sent on (one message in flight per direction), and a close is passed on as a close.
 */
final class WebSocketRelay {
    private static final ObjectMapper JSON = CyberunJson.mapper();

    private final HttpClient http;
    private final StreamTarget to;
    private final Runnable used;
    private final CompletableFuture<WebSocket> hub = new CompletableFuture<>();
    private final CompletableFuture<WebSocket> target = new CompletableFuture<>();

    private WebSocketRelay(HttpClient http, StreamTarget target, Runnable used) {
        this.http = http;
        this.to = target;
        this.used = used;
    }

    static void start(HttpClient http, URI uri, StreamTarget target, Runnable used) {
        Thread.ofVirtual().name("tunnel-ws").start(() -> {
            WebSocketRelay relay = new WebSocketRelay(http, target, used);
            try {
                relay.hub.complete(StreamRelay.dial(http, uri, relay.new Side(relay.target, true)));
            } catch (RuntimeException e) {
                AgentLog.warn("tunnel stream %s: could not dial the hub: %s", uri, e.getMessage());
            }
        });
    }

    /** Opens the WebSocket to the port for the upgrade request, and answers the hub with its outcome. */
    private void connect(WebSocket hubSocket, TunnelProtocol.RequestHead head) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        String[] protocols = new String[0];
        for (Map.Entry<String, List<String>> h : head.headers().entrySet()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (name.equals("sec-websocket-protocol")) {
                protocols = String.join(",", h.getValue()).split("\\s*,\\s*");
            } else if (name.equals("cookie") || name.equals("authorization") || name.equals("origin") || name.equals("user-agent")) {
                h.getValue().forEach(v -> builder.header(h.getKey(), v));
            }
        }
        if (protocols.length > 0) {
            builder.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
        }
        builder.buildAsync(URI.create(to.webSocketBase() + head.path()), new Side(hub, false)).whenComplete((ws, failure) -> {
            try {
                if (failure != null) {
                    int status = failure.getCause() instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : 502;
                    hubSocket.sendText(JSON.writeValueAsString(new TunnelProtocol.ResponseHead(status, Map.of(),
                            "the port's WebSocket upgrade failed: " + failure.getMessage())), true).join();
                    hubSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
                    return;
                }
                String chosen = ws.getSubprotocol();
                hubSocket.sendText(JSON.writeValueAsString(new TunnelProtocol.ResponseHead(101,
                        chosen == null || chosen.isEmpty() ? Map.of() : Map.of("Sec-WebSocket-Protocol", List.of(chosen)), null)), true).join();
                target.complete(ws);
            } catch (Exception e) {
                hubSocket.abort();
            }
        });
    }

    /** One side's listener: what it receives goes to {@code other}. The hub's side reads the upgrade request first. */
    private final class Side implements WebSocket.Listener {
        private final CompletableFuture<WebSocket> other;
        private final boolean hubSide;
        private final StringBuilder text = new StringBuilder();
        private boolean headRead;

        Side(CompletableFuture<WebSocket> other, boolean hubSide) {
            this.other = other;
            this.hubSide = hubSide;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (hubSide && !headRead) {
                text.append(data);
                if (last) {
                    headRead = true;
                    try {
                        connect(ws, JSON.readValue(text.toString(), TunnelProtocol.RequestHead.class));
                    } catch (Exception e) {
                        ws.sendClose(StreamRelay.FAILED, "unreadable upgrade request: " + e.getMessage());
                        return null;
                    }
                }
                ws.request(1);
                return null;
            }
            String part = data.toString();
            used.run();
            other.thenCompose(o -> o.sendText(part, last)).whenComplete((o, e) -> ws.request(1));
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ByteBuffer copy = ByteBuffer.wrap(StreamRelay.bytes(data));
            used.run();
            other.thenCompose(o -> o.sendBinary(copy, last)).whenComplete((o, e) -> ws.request(1));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            other.thenAccept(o -> {
                if (!o.isOutputClosed()) {
                    o.sendClose(statusCode == WebSocket.NORMAL_CLOSURE || statusCode >= 3000 ? statusCode : WebSocket.NORMAL_CLOSURE,
                            reason == null ? "" : reason);
                }
            });
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            other.thenAccept(WebSocket::abort);
        }
    }
}
