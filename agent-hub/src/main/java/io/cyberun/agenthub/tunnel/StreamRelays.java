package io.cyberun.agenthub.tunnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.http.StreamingForward;
import io.cyberun.common.http.WebSocketRelay;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Relays a client's request over an agent stream, bytes as they come, never gathered (each side is paused while the
 * other's write queue is full): an HTTP exchange, a WebSocket, or the binary messages of a TCP tunnel. Tunnels and
 * container service calls both use them.
 */
public final class StreamRelays {
    private static final Logger LOG = Logger.getLogger(StreamRelays.class);
    private static final ObjectMapper JSON = CyberunJson.mapper();
    static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "host", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept",
            "authorization", "x-cyberun-principal");

    private StreamRelays() {
    }

    /**
     * One HTTP request (paused) on a new stream: head, body as it comes, end; then the answer's head and body as they
     * come. {@code broken}, when given, learns of a stream that could not be had or closed before the answer's head.
     */
    public static void relayHttp(RoutingContext ctx, Uni<ServerWebSocket> stream, String path, Runnable broken) {
        relayHttp(ctx, stream, path, broken, null);
    }

    /** The same; {@code reuse}, when given, takes the stream back after an exchange completed both ways (its agent said END). */
    public static void relayHttp(RoutingContext ctx, Uni<ServerWebSocket> stream, String path, Runnable broken,
                                 java.util.function.Consumer<ServerWebSocket> reuse) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        stream.subscribe().with(ws -> {
            ws.writeTextMessage(json(new TunnelProtocol.RequestHead(request.method().name(), path, headers(request))));
            pump(request, ws);
            boolean[] requestEnded = {false};
            boolean[] released = {false};
            request.endHandler(v -> {
                requestEnded[0] = true;
                ws.writeTextMessage(TunnelProtocol.END);
            });
            request.resume();
            boolean[] headSent = {false};
            ws.textMessageHandler(text -> {
                if (headSent[0]) {
                    if (TunnelProtocol.END.equals(text) && !response.ended()) {
                        // A reusable stream's exchange is complete: the answer ends here and the stream is free again.
                        response.end();
                        if (reuse != null && requestEnded[0]) {
                            released[0] = true;
                            reuse.accept(ws);
                        } else {
                            ws.close((short) 1000, "");
                        }
                    }
                    return;
                }
                headSent[0] = true;
                TunnelProtocol.ResponseHead head = read(text);
                response.setStatusCode(head.status());
                boolean length = false;
                for (Map.Entry<String, List<String>> h : head.headers().entrySet()) {
                    String lower = h.getKey().toLowerCase(Locale.ROOT);
                    if (!NOT_RELAYED.contains(lower)) {
                        response.putHeader(h.getKey(), h.getValue());
                        length |= lower.equals("content-length");
                    }
                }
                if (head.error() != null) {
                    StreamingForward.error(response, head.status(), head.error());
                    return;
                }
                if (!length) {
                    response.setChunked(true);
                }
            });
            ws.binaryMessageHandler(buffer -> {
                if (!response.ended()) {
                    response.write(buffer);
                    WebSocketRelay.throttle(ws, response);
                }
            });
            WebSocketRelay.afterLastMessage(ws, v -> {
                if (response.ended()) {
                    return;
                }
                Short code = ws.closeStatusCode();
                if (!headSent[0]) {
                    if (broken != null) {
                        broken.run();
                    }
                    error(response, 502, ws.closeReason() == null || ws.closeReason().isBlank() ? "the agent closed the stream" : ws.closeReason());
                } else if (code != null && code == 1000) {
                    response.end();
                } else {
                    response.reset(); // the body broke off: the client must not take it as complete
                }
            });
            response.closeHandler(v -> {
                if (!released[0] && !ws.isClosed()) {
                    ws.close((short) 1001, "the client went away");
                }
            });
        }, failure -> {
            request.resume();
            if (broken != null) {
                broken.run();
            }
            error(response, failure instanceof TunnelStreams.Unavailable u ? u.status : 502, failure.getMessage());
        });
    }

    /** A raw TCP relay: the client's WebSocket messages are the bytes of one TCP connection on the agent. */
    static void relayTcp(RoutingContext ctx, Uni<ServerWebSocket> opened) {
        HttpServerRequest request = ctx.request();
        opened.subscribe().with(stream -> {
            // Upgraded while still paused: resuming first would let the request end before the upgrade.
            request.toWebSocket().onSuccess(client -> WebSocketRelay.relay(client, stream)).onFailure(e -> stream.close());
        }, failure -> {
            request.resume();
            error(ctx.response(), failure instanceof TunnelStreams.Unavailable u ? u.status : 502, failure.getMessage());
        });
    }

    /** A WebSocket (the request is paused) relayed to the agent's port on a new stream. */
    public static void relayWebSocket(RoutingContext ctx, Uni<ServerWebSocket> opened, String path, Runnable broken) {
        HttpServerRequest request = ctx.request();
        opened.subscribe().with(stream -> {
            stream.writeTextMessage(json(new TunnelProtocol.RequestHead("GET", path, headers(request))));
            stream.textMessageHandler(text -> {
                TunnelProtocol.ResponseHead head = read(text);
                if (head.status() != 101) {
                    request.resume();
                    stream.close();
                    error(ctx.response(), head.status() >= 400 ? head.status() : 502, head.error() == null ? "the port refused the WebSocket" : head.error());
                    return;
                }
                request.toWebSocket().onSuccess(client -> WebSocketRelay.relay(client, stream)).onFailure(e -> stream.close());
            });
            // Closed before it answered (the relay replaces this handler once the client is upgraded).
            stream.closeHandler(v -> {
                request.resume();
                if (broken != null) {
                    broken.run();
                }
                error(ctx.response(), 502, stream.closeReason() == null || stream.closeReason().isBlank()
                        ? "the agent closed the stream before the WebSocket opened" : stream.closeReason());
            });
        }, failure -> {
            request.resume();
            if (broken != null) {
                broken.run();
            }
            error(ctx.response(), failure instanceof TunnelStreams.Unavailable u ? u.status : 502, failure.getMessage());
        });
    }

    private static void pump(HttpServerRequest request, ServerWebSocket ws) {
        request.handler(buffer -> {
            ws.writeBinaryMessage(buffer);
            WebSocketRelay.throttle(request, ws);
        });
    }

    public static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    public static String pathAndQuery(String rest, HttpServerRequest request) {
        String query = request.query();
        return rest + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    private static Map<String, List<String>> headers(HttpServerRequest request) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : request.headers().names()) {
            if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                out.put(name, new ArrayList<>(request.headers().getAll(name)));
            }
        }
        return out;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TunnelProtocol.ResponseHead read(String text) {
        try {
            return JSON.readValue(text, TunnelProtocol.ResponseHead.class);
        } catch (Exception e) {
            return new TunnelProtocol.ResponseHead(502, Map.of(), "the agent's answer was unreadable");
        }
    }

    private static void error(HttpServerResponse response, int status, String message) {
        StreamingForward.error(response, status, message);
    }
}
