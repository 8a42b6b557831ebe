package io.cyberun.agenthub.tunnel;

import io.cyberun.common.http.StreamingForward;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
        } else if (StreamRelays.isUpgrade(request)) {
            boolean tcp = session.protocol() == TunnelProtocol.Kind.TCP;
            Uni<ServerWebSocket> stream = streams.open(session, tcp ? TunnelProtocol.StreamKind.TCP : TunnelProtocol.StreamKind.WEBSOCKET);
            if (tcp) {
                StreamRelays.relayTcp(ctx, stream);
            } else {
                StreamRelays.relayWebSocket(ctx, stream, StreamRelays.pathAndQuery(rest, request), null);
            }
        } else if (session.protocol() == TunnelProtocol.Kind.TCP) {
            request.resume();
            error(ctx.response(), 400, "a tcp tunnel takes a WebSocket: connect with `java -jar cyberun-agent.jar tunnel --url <tunnel_url>"
                    + " --listen 127.0.0.1:<port>`");
        } else {
            StreamRelays.relayHttp(ctx, streams.open(session, TunnelProtocol.StreamKind.HTTP), StreamRelays.pathAndQuery(rest, request), null);
        }
    }

    private static void error(HttpServerResponse response, int status, String message) {
        StreamingForward.error(response, status, message);
    }
}
