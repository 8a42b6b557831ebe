package io.cyberun.common.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.json.CyberunJson;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.security.HttpSecurity;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Internal services are reachable only with a principal token an edge signed: every request under the configured
 * prefixes ({@code cyberun.principal.protected-paths}) must be authenticated, so one without a valid token gets 401
 * before any route runs, JAX-RS resources and others (the MCP endpoint, WebSockets) alike. Who may call each
 * resource method is declared on it with {@code @RolesAllowed}. The refusal carries the API's error body.
 */
@ApplicationScoped
public class ProtectedPaths {
    private final List<String> prefixes;

    public ProtectedPaths(CyberunConfig config) {
        this.prefixes = config.principal().protectedPaths();
    }

    void protect(@Observes HttpSecurity http) {
        String[] paths = prefixes.stream()
                .map(p -> p.endsWith("/") ? p + "*" : p + "/*").toArray(String[]::new);
        if (paths.length > 0) {
            http.path(paths).authenticated();
        }
    }

    /** Authentication fails before any route runs: answered here with the error body rather than an empty 401. */
    void answerRefusals(@Observes Router router) {
        router.route().failureHandler(this::refuse);
    }

    void refuse(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (!(failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException) || ctx.response().ended()) {
            ctx.next();
            return;
        }
        unauthenticated(ctx, failure instanceof AuthenticationFailedException && failure.getMessage() != null ? failure.getMessage()
                : "internal services accept only requests the gateway signed: this one carries no principal token");
    }

    /** Whether requests to this path must carry a principal token. */
    boolean covers(String path) {
        return path != null && prefixes.stream().anyMatch(path::startsWith);
    }

    /** Answers 401 with the API's error body. */
    static void unauthenticated(RoutingContext ctx, String reason) {
        String body;
        try {
            body = CyberunJson.mapper().writeValueAsString(ErrorBody.of(ErrorCode.UNAUTHENTICATED, reason));
        } catch (Exception json) {
            body = "{\"error_message\":\"unauthenticated\",\"error_code\":\"unauthenticated\"}";
        }
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json").end(body);
    }
}
