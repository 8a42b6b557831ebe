package io.cyberun.gateway.routing;

import io.cyberun.common.http.WebSocketRelay;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Interactive tunnels' public URLs, {@code /tunnel/<session>.<token>/...}: passed to agent-hub as they are, bodies
 * and WebSocket messages streamed both ways, never gathered. The token in the URL is the credential (agent-hub checks
 * it), so a tunnel URL can be shared; no API credential is taken or forwarded.
 */
@ApplicationScoped
public class TunnelProxy {
    static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "upgrade", "host", "authorization", "x-cyberun-principal", "sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-accept");

    private final ServiceProxy proxy;

    public TunnelProxy(ServiceProxy proxy) {
        this.proxy = proxy;
    }

    void routes(@Observes Router router) {
        router.route("/tunnel/*").order(-10).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest in = ctx.request();
        URI hub = proxy.service(RouteTable.AGENT_HUB);
        in.pause();
        String upgrade = in.getHeader("Upgrade");
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(hub.getHost()).setPort(hub.getPort())
                    .setURI(in.uri()).setHeaders(headers(in));
            String protocols = in.getHeader("Sec-WebSocket-Protocol");
            if (protocols != null) {
                options.setSubProtocols(java.util.Arrays.stream(protocols.split(",")).map(String::strip).toList());
            }
            proxy.client().webSocket(options).onSuccess(toHub -> {
                // Upgraded while still paused: resuming first would let the request end before the upgrade.
                in.toWebSocket().onSuccess(client -> WebSocketRelay.relay(client, toHub)).onFailure(e -> toHub.close());
            }).onFailure(e -> {
                in.resume();
                int status = e instanceof UpgradeRejectedException r ? r.getStatus() : 502;
                String body = e instanceof UpgradeRejectedException r && r.getBody() != null ? r.getBody().toString() : null;
                answer(ctx.response(), status, body != null && body.startsWith("{") ? body
                        : "{\"error_code\":\"upstream_unavailable\",\"error_message\":\"the tunnel could not be opened: " + status + "\"}");
            });
            return;
        }
        RequestOptions options = new RequestOptions().setHost(hub.getHost()).setPort(hub.getPort()).setMethod(in.method())
                .setURI(in.uri()).setHeaders(headers(in)).setIdleTimeout(0);
        proxy.client().request(options)
                .compose(request -> {
                    if (in.headers().contains("Content-Length") || in.headers().contains("Transfer-Encoding")) {
                        if (!in.headers().contains("Content-Length")) {
                            request.setChunked(true);
                        }
                        return request.send(in);
                    }
                    in.resume();
                    return request.send();
                })
                .onSuccess(response -> relay(ctx.response(), response))
                .onFailure(e -> {
                    in.resume();
                    answer(ctx.response(), 502, "{\"error_code\":\"upstream_unavailable\",\"error_message\":\"agent-hub did not answer: "
                            + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}");
                });
    }

    private static void relay(HttpServerResponse out, HttpClientResponse response) {
        if (out.ended() || out.closed()) {
            response.request().reset();
            return;
        }
        out.setStatusCode(response.statusCode());
        response.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!ServiceProxy.NOT_RETURNED.contains(name)) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (!response.headers().contains("Content-Length")) {
            out.setChunked(true);
        }
        response.pipeTo(out);
        out.closeHandler(v -> response.request().reset());
    }

    private static MultiMap headers(HttpServerRequest in) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        in.headers().forEach(h -> {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        if (in.remoteAddress() != null) {
            headers.set("X-Forwarded-For", in.remoteAddress().hostAddress());
        }
        return headers;
    }

    private static void answer(HttpServerResponse out, int status, String json) {
        if (!out.ended()) {
            out.setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
        }
    }
}
