package io.cyberun.gateway.routing;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.PrincipalTokens;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.security.Authenticator;
import io.cyberun.gateway.sse.TaskStreams;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public API's front door, in front of every {@code /api/v1/...} request: finds the owning service,
 * authenticates the caller, checks the credential kind may call that part of the API, then forwards the request
 * with a signed principal (or serves task event streams itself, or lets the gateway's own resources answer).
 */
@ApplicationScoped
public class ApiGateway {
    /** The routing-context key under which the gateway's own resources find the caller. */
    public static final String PRINCIPAL_KEY = "cyberun.principal";
    static final Pattern TASK_EVENTS = Pattern.compile("^/api/v1/r/tasks/([^/]+)/events$");

    private final Authenticator authenticator;
    private final ServiceProxy proxy;
    private final TaskStreams streams;
    private final PrincipalTokens tokens;

    public ApiGateway(Authenticator authenticator, ServiceProxy proxy, TaskStreams streams, PrincipalTokens tokens) {
        this.authenticator = authenticator;
        this.proxy = proxy;
        this.streams = streams;
        this.tokens = tokens;
    }

    void routes(@Observes Router router) {
        // Before the JAX-RS handler: gateway-owned resources continue to it with the principal set.
        router.route("/api/v1/*").order(-10).handler(this::handle);
    }

    void onStart(@Observes StartupEvent start) {
        // The gateway refuses to start without its signing key: it could not call any service.
        if (!tokens.canSign()) {
            throw new IllegalStateException("the gateway needs CYBERUN_PRINCIPAL_PRIVATE_KEY to sign principal tokens");
        }
    }

    void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        Optional<RouteTable.Route> match = RouteTable.match(path);
        if (match.isEmpty()) {
            GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "no such endpoint: " + path));
            return;
        }
        RouteTable.Route route = match.get();
        if (route.access() == Access.OPEN) {
            ctx.next();
            return;
        }
        ctx.request().pause();
        authenticator.authenticate(ctx, route.needsTeam()).subscribe().with(principal -> {
            if (!route.access().allows(principal.kind())) {
                ctx.request().resume();
                GatewayErrors.send(ctx, new ApiException(ErrorCode.UNAUTHENTICATED,
                        "this endpoint takes " + route.access().describe() + ", not a " + principal.kind().wireName() + " credential"));
                return;
            }
            dispatch(ctx, route, principal);
        }, failure -> {
            ctx.request().resume();
            GatewayErrors.send(ctx, failure);
        });
    }

    private void dispatch(RoutingContext ctx, RouteTable.Route route, Principal principal) {
        if (route.service() == null) {
            ctx.put(PRINCIPAL_KEY, principal);
            ctx.request().resume();
            ctx.next();
            return;
        }
        String token = tokens.sign(principal);
        Matcher events = TASK_EVENTS.matcher(ctx.normalizedPath());
        if (events.matches() && ctx.request().method() == HttpMethod.GET && wantsStream(ctx)) {
            ctx.request().resume();
            UUID task;
            try {
                task = UUID.fromString(events.group(1));
            } catch (IllegalArgumentException e) {
                GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "task not found"));
                return;
            }
            streams.open(ctx, token, task);
            return;
        }
        proxy.readBody(ctx.request()).subscribe().with(
                body -> proxy.forward(ctx, route.service(), token, body, RouteTable.MCP_SERVICE.equals(route.service())),
                failure -> GatewayErrors.send(ctx, failure));
    }

    /**
     * SSE unless the caller asks for the JSON event log ({@code ?after=N}, or {@code Accept: application/json}
     * without {@code text/event-stream}).
     */
    static boolean wantsStream(RoutingContext ctx) {
        if (ctx.request().getParam("after") != null) {
            return false;
        }
        String accept = ctx.request().getHeader("Accept");
        return accept == null || accept.contains("text/event-stream") || !accept.contains("application/json");
    }
}
