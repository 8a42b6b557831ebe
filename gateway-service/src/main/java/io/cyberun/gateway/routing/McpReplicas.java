package io.cyberun.gateway.routing;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes MCP requests across mcp-service replicas. An MCP session lives in the memory of the replica that answered
 * its {@code initialize}, so the gateway hands the client a session id that names that replica
 * ({@code <replica>.<the replica's id>}) and sends every later request of the session (POST, the GET stream,
 * DELETE) there with the replica's own id. A request that starts a session goes to the next replica in turn, and
 * to another one if that one cannot be reached. A session whose replica is gone answers 404, which tells MCP
 * clients to start a new session. The legacy HTTP+SSE transport ({@code /api/v1/mcp/sse} and its message path)
 * carries its session in the path, so it always goes to the first replica.
 */
@ApplicationScoped
public class McpReplicas {
    static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final Pattern SESSION = Pattern.compile("^(\\d{1,3})\\.([\\x21-\\x7e]+)$");

    private final ServiceProxy proxy;
    private final List<URI> replicas;
    private final AtomicInteger next = new AtomicInteger();

    public McpReplicas(ServiceProxy proxy, GatewayConfig config) {
        this.proxy = proxy;
        this.replicas = config.mcpReplicas().filter(list -> !list.isEmpty())
                .orElseGet(() -> List.of(proxy.service(RouteTable.MCP_SERVICE)));
    }

    void forward(RoutingContext ctx, String principalToken, Buffer body) {
        if (!ctx.normalizedPath().equals("/api/v1/mcp")) {
            proxy.forward(ctx, hop(0, Map.of()), principalToken, body, e -> unreachable(ctx));
            return;
        }
        String session = ctx.request().getHeader(SESSION_HEADER);
        if (session == null) {
            start(ctx, principalToken, body, Math.floorMod(next.getAndIncrement(), replicas.size()), 1);
            return;
        }
        Matcher m = SESSION.matcher(session.strip());
        int replica = m.matches() ? Integer.parseInt(m.group(1)) : -1;
        if (replica < 0 || replica >= replicas.size()) {
            GatewayErrors.send(ctx, sessionGone());
            return;
        }
        proxy.forward(ctx, hop(replica, Map.of(SESSION_HEADER, m.group(2))), principalToken, body,
                e -> GatewayErrors.send(ctx, sessionGone()));
    }

    /** A request without a session: this replica, or the following ones when it cannot be reached. */
    private void start(RoutingContext ctx, String principalToken, Buffer body, int replica, int attempt) {
        proxy.forward(ctx, hop(replica, Map.of()), principalToken, body, e -> {
            if (attempt < replicas.size()) {
                start(ctx, principalToken, body, (replica + 1) % replicas.size(), attempt + 1);
            } else {
                unreachable(ctx);
            }
        });
    }

    private ServiceProxy.Hop hop(int replica, Map<String, String> headers) {
        return new ServiceProxy.Hop(RouteTable.MCP_SERVICE, replicas.get(replica), headers, answer -> named(answer, replica));
    }

    /** The replica's session id, as the client sees it: prefixed with the replica's number. */
    private static void named(MultiMap answer, int replica) {
        String session = answer.get(SESSION_HEADER);
        if (session != null) {
            answer.set(SESSION_HEADER, replica + "." + session);
        }
    }

    private static ApiException sessionGone() {
        return new ApiException(ErrorCode.NOT_FOUND, "MCP session not found: it ended or its server restarted; "
                + "start a new session with initialize");
    }

    private static void unreachable(RoutingContext ctx) {
        GatewayErrors.send(ctx, new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "mcp-service is not reachable right now; try again shortly"));
    }
}
