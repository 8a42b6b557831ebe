package io.cyberun.gateway.routing;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code Origin} check of MCP at the edge (MCP Streamable HTTP: a server must validate {@code Origin}, against DNS
 * rebinding). A request without {@code Origin} (every non-browser client) passes; a browser's request passes when its
 * origin is this deployment's own ({@code cyberun.gateway.public-url}), a loopback origin (the MCP Inspector's web
 * UI, local tools) or one listed in {@code cyberun.gateway.mcp-allowed-origins}; any other origin gets a 403 that says
 * how to allow it. Allowed origins get the CORS answers a browser needs: preflights answered here, the session
 * header exposed. The check is done once, here: the gateway does not forward {@code Origin} to mcp-service.
 */
@ApplicationScoped
public class McpOrigins {
    static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID";
    static final String EXPOSED_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version";

    private final Set<String> allowed = new HashSet<>();

    public McpOrigins(GatewayConfig config) {
        allowed.add(normalize(config.publicUrl()));
        config.mcpAllowedOrigins().orElse(List.of()).stream().filter(o -> !o.isBlank()).map(McpOrigins::normalize).forEach(allowed::add);
    }

    void routes(@Observes Router router) {
        // Before authentication (order -10): a preflight carries no credentials.
        router.route("/api/v1/mcp").order(-20).handler(this::handle);
        router.route("/api/v1/mcp/*").order(-20).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        if (origin == null) {
            ctx.next();
            return;
        }
        if (!allows(origin)) {
            GatewayErrors.send(ctx, new ApiException(ErrorCode.FORBIDDEN, "MCP does not accept requests from the web origin " + origin
                    + " on this deployment; its operator can allow it with CYBERUN_MCP_ALLOWED_ORIGINS"));
            return;
        }
        HttpServerResponse response = ctx.response();
        response.putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin")
                .putHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        if (ctx.request().method() == HttpMethod.OPTIONS && ctx.request().getHeader("Access-Control-Request-Method") != null) {
            response.putHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
                    .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                    .putHeader("Access-Control-Max-Age", "600")
                    .setStatusCode(204).end();
            return;
        }
        ctx.next();
    }

    boolean allows(String origin) {
        String normalized = normalize(origin);
        if (allowed.contains(normalized)) {
            return true;
        }
        try {
            URI uri = URI.create(normalized);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getRawUserInfo() == null
                    && uri.getHost() != null && LOOPBACK.contains(uri.getHost());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An origin as browsers send it: scheme://host[:port] in lower case (a URL is cut to its origin). */
    static String normalize(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            URI uri = URI.create(v);
            if (uri.getScheme() != null && uri.getRawAuthority() != null) {
                return uri.getScheme() + "://" + uri.getRawAuthority();
            }
        } catch (IllegalArgumentException e) {
            // compared as given
        }
        return v;
    }
}
