package io.cyberun.gateway.routing;

import io.cyberun.common.http.StreamingForward;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Interactive tunnels' public URLs, {@code /tunnel/<session>.<token>/...}: passed to agent-hub as they are, bodies
 * and WebSocket messages streamed both ways, never gathered. The token in the URL is the credential (agent-hub checks
 * it), so a tunnel URL can be shared; no API credential is taken or forwarded.
 */
@ApplicationScoped
public class TunnelProxy {
    private final ServiceProxy proxy;

    public TunnelProxy(ServiceProxy proxy) {
        this.proxy = proxy;
    }

    void routes(@Observes Router router) {
        router.route("/tunnel/*").order(-10).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        ctx.request().pause();
        StreamingForward.forward(ctx.request(), proxy.client(), proxy.service(RouteTable.AGENT_HUB));
    }
}
