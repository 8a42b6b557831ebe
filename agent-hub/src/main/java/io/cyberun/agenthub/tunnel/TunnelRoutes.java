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
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The tunnels' data path on the hub. {@code /tunnel/<session>.<token>/<path>} (the gateway forwards the public URL
 * as it is): an {@code http} session relays each request, or WebSocket, to the agent's port on a stream of its own;
 * a {@code tcp} session takes a WebSocket and relays its binary messages as the bytes of one TCP connection. The
 * token is the credential: a wrong one is a 404, as a session that does not exist. And
 * {@link TunnelProtocol#STREAM_PATH}{@code <id>}: where agents dial back with a stream.
 * <p>
 * Bytes are relayed as they come, never gathered: each side is paused while the other's write queue is full.
 */
@ApplicationScoped
public class TunnelRoutes {
    private static final Logger LOG = Logger.getLogger(TunnelRoutes.class);
    private static final ObjectMapper JSON = CyberunJson.mapper();
    static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "host", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept",
            "authorization", "x-cyberun-principal");

    private final TunnelSessions sessions;
    private final TunnelStreams streams;
    private final HubReplicas replicas;
    private final ReplicaForward forward;

    public TunnelRoutes(TunnelSessions sessions, TunnelStreams streams, HubReplicas replicas, ReplicaForward forward) {
        this.sessions = sessions;
        this.streams = streams;
        this.replicas = replicas;
        this.forward = forward;
    }

    void install(@Observes Router router) {
        // Before the REST layer (which would answer 404); the protected paths (principal tokens) do not cover these.
        router.route(TunnelProtocol.STREAM_PATH + ":id").order(-5).handler(this::dialled);
        router.routeWithRegex("/tunnel/([^/]+)(/.*)?").order(-5).handler(this::tunnel);
    }

    private void dialled(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!streams.expects(id)) {
            error(ctx.response(), 404, "no stream " + id + " is awaited (unknown, used, or too late)");
            return;
        }
        ctx.request().toWebSocket().onSuccess(ws -> {
            if (!streams.arrived(id, ws)) {
                ws.close((short) 1008, "too late");
            }
        }).onFailure(e -> LOG.debugf("stream %s: upgrade failed: %s", id, e.getMessage()));
    }

    private void tunnel(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause();
        String name = ctx.pathParam("param0");
        sessions.check(name).subscribe().with(session -> {
            if (session != null && !replicas.local(session.teamId(), session.agentId())) {
                // The agent's connection, and so its streams, are on another replica.
                forward.passOn(ctx, session.teamId(), session.agentId(), () -> serve(ctx, session, name));
            } else {
                serve(ctx, session, name);
            }
        }, failure -> {
            request.resume();
            error(ctx.response(), 503, "the tunnel could not be looked up: " + failure.getMessage());
        });
    }

    /** Serves a tunnel request on this replica (the paused request; {@code session} null: no such tunnel). */
    private void serve(RoutingContext ctx, TunnelSessions.Session session, String name) {
        HttpServerRequest request = ctx.request();
        String rest = ctx.pathParam("param1");
        if (session == null) {
            request.resume();
            error(ctx.response(), 404, "no such tunnel, or its token is wrong (it may have been closed)");
        } else if (rest == null) {
            // The app's relative links need the trailing slash.
            request.resume();
            ctx.response().setStatusCode(308).putHeader("Location", "/tunnel/" + name + "/").end();
        } else if (isUpgrade(request)) {
            boolean tcp = session.protocol() == TunnelProtocol.Kind.TCP;
            Uni<ServerWebSocket> stream = streams.open(session, tcp ? TunnelProtocol.StreamKind.TCP : TunnelProtocol.StreamKind.WEBSOCKET);
            if (tcp) {
                relayTcp(ctx, stream);
            } else {
                relayWebSocket(ctx, stream, pathAndQuery(rest, request), null);
            }
        } else if (session.protocol() == TunnelProtocol.Kind.TCP) {
            request.resume();
            error(ctx.response(), 400, "a tcp tunnel takes a WebSocket: connect with `java -jar cyberun-agent.jar tunnel --url <tunnel_url>"
                    + " --listen 127.0.0.1:<port>`");
        } else {
            relayHttp(ctx, streams.open(session, TunnelProtocol.StreamKind.HTTP), pathAndQuery(rest, request), null);
        }
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
            ws.closeHandler(v -> {
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
    private static void relayTcp(RoutingContext ctx, Uni<ServerWebSocket> opened) {
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
