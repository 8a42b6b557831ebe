package io.cyberun.common.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.auth.InvalidPrincipalException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.PrincipalTokens;
import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.json.CyberunJson;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Internal services are reachable only with a principal token an edge signed: a request to a protected path
 * without a valid one gets 401 before any route runs. It guards the router itself, so every endpoint is covered,
 * JAX-RS resources and others (the MCP endpoint, WebSockets) alike.
 */
@ApplicationScoped
public class PrincipalGuard {
    /** Routing-context keys of the verified principal and its raw token. */
    static final String PRINCIPAL_KEY = "cyberun.verified-principal";
    static final String TOKEN_KEY = "cyberun.verified-principal-token";

    private final PrincipalTokens tokens;
    private final List<String> protectedPaths;

    public PrincipalGuard(PrincipalTokens tokens, CyberunConfig config) {
        this.tokens = tokens;
        this.protectedPaths = config.principal().protectedPaths();
    }

    /** The principal this guard verified for the request, or null (an unprotected path). */
    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL_KEY);
    }

    void install(@Observes Router router) {
        router.route().order(-100).handler(this::guard);
    }

    void guard(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (protectedPaths.stream().noneMatch(path::startsWith)) {
            ctx.next();
            return;
        }
        String token = ctx.request().getHeader(PrincipalTokens.HEADER);
        Principal principal;
        try {
            principal = tokens.verify(token);
        } catch (InvalidPrincipalException e) {
            String body;
            try {
                body = CyberunJson.mapper().writeValueAsString(ErrorBody.of(ErrorCode.UNAUTHENTICATED,
                        "internal services accept only requests the gateway signed: " + e.getMessage()));
            } catch (Exception json) {
                body = "{\"error_message\":\"unauthenticated\",\"error_code\":\"unauthenticated\"}";
            }
            ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json").end(body);
            return;
        }
        ctx.put(PRINCIPAL_KEY, principal);
        ctx.put(TOKEN_KEY, token);
        ctx.next();
    }
}
