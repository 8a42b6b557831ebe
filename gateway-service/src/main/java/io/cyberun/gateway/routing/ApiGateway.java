package io.cyberun.gateway.routing;

import io.cyberun.common.http.StreamingForward;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.PrincipalIdentityProvider;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.common.security.TeamRoleAugmentor;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.gateway.security.GatewayAuthentication;
import io.cyberun.gateway.security.KeyCache;
import io.cyberun.gateway.security.LastUsed;
import io.cyberun.gateway.security.RateLimiter;
import io.cyberun.gateway.sse.StreamTokenAccess;
import io.cyberun.gateway.sse.TaskLogPolls;
import io.cyberun.gateway.sse.TaskPreviewImages;
import io.cyberun.gateway.sse.TaskStreams;
import io.cyberun.gateway.sse.TeamStreams;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
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
    /** The stream of every task of the caller's team. */
    static final String TEAM_EVENTS = "/api/v1/r/tasks/events";
    /** The longest a {@code ?after=N&wait=S} long-poll waits for the next event. */
    static final long MAX_WAIT_SECONDS = 30;
    /** A call of a container service: streamed to agent-hub as it is, both ways (no body limit, no buffering). */
    static final Pattern CONTAINER_CALL = Pattern.compile("^/api/v1/r/containers/[^/]+/.*$");
    /** Requests that queue GPU work. */
    static final Pattern RUN = Pattern.compile("^/api/v1/r/(workflows/.+/run|tasks/[^/]+/rerun)$");

    private final GatewayAuthentication authentication;
    private final ServiceProxy proxy;
    private final TaskStreams streams;
    private final TaskLogPolls polls;
    private final TeamStreams teamStreams;
    private final PrincipalTokens tokens;
    private final RateLimiter rateLimiter;
    private final LastUsed lastUsed;
    private final McpReplicas mcp;
    private final StreamTokenAccess streamAccess;
    private final KeyCache keyCache;
    private final TaskPreviewImages previews;

    public ApiGateway(GatewayAuthentication authentication, ServiceProxy proxy, TaskStreams streams, PrincipalTokens tokens, RateLimiter rateLimiter,
                      LastUsed lastUsed, McpReplicas mcp, StreamTokenAccess streamAccess, KeyCache keyCache, TaskPreviewImages previews,
                      TeamStreams teamStreams, TaskLogPolls polls) {
        this.teamStreams = teamStreams;
        this.polls = polls;
        this.keyCache = keyCache;
        this.previews = previews;
        this.mcp = mcp;
        this.streamAccess = streamAccess;
        this.rateLimiter = rateLimiter;
        this.lastUsed = lastUsed;
        this.authentication = authentication;
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
        ctx.request().pause();
        if (route.access() == Access.OPEN) {
            // The bootstrap checks its own admin token; the anonymous pairing endpoints are limited per address.
            Uni<?> limit = route.prefix().equals(RouteTable.ADMIN_PREFIX) ? Uni.createFrom().voidItem()
                    : rateLimiter.take(clientAddress(ctx), RateLimiter.Bucket.ANONYMOUS);
            limit.subscribe().with(ok -> {
                ctx.request().resume();
                ctx.next();
            }, failure -> {
                ctx.request().resume();
                GatewayErrors.send(ctx, failure);
            });
            return;
        }
        Uni<GatewayAuthentication.Caller> caller = StreamTokenAccess.uses(ctx)
                ? streamAccess.authenticate(ctx).map(p -> new GatewayAuthentication.Caller(p, null))
                : authentication.caller(ctx, route.needsTeam(), true);
        caller.flatMap(c -> {
                    Principal principal = c.principal();
                    if (!route.access().allows(principal.kind())) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.UNAUTHENTICATED,
                                "this endpoint takes " + route.access().describe() + ", not a " + principal.kind().wireName() + " credential"));
                    }
                    lastUsed.used(principal.credentialId());
                    return limit(ctx, principal).flatMap(epoch -> {
                        if (epoch != null) {
                            keyCache.epochRead(epoch);
                        }
                        // A key answered from the cache under another revocation epoch is looked up again.
                        return c.cachedUnder() == null || (epoch != null && epoch.equals(c.cachedUnder()))
                                ? Uni.createFrom().item(principal)
                                : authentication.caller(ctx, route.needsTeam(), false).map(GatewayAuthentication.Caller::principal);
                    });
                })
                .subscribe().with(principal -> dispatch(ctx, route, principal), failure -> {
                    ctx.request().resume();
                    GatewayErrors.send(ctx, failure);
                });
    }

    /** Every caller's request bucket, and for run requests also its run bucket, in one call; answers the revocation epoch. */
    private Uni<Long> limit(RoutingContext ctx, Principal principal) {
        String caller = principal.credentialId() != null ? principal.credentialId().toString() : "user:" + principal.subject();
        if (ctx.request().method() == HttpMethod.POST && RUN.matcher(ctx.normalizedPath()).matches()) {
            return rateLimiter.take(caller, RateLimiter.Bucket.REQUESTS, RateLimiter.Bucket.RUNS);
        }
        return rateLimiter.take(caller, RateLimiter.Bucket.REQUESTS);
    }

    static String clientAddress(RoutingContext ctx) {
        var remote = ctx.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }

    private void dispatch(RoutingContext ctx, RouteTable.Route route, Principal principal) {
        if (route.service() == null) {
            ctx.put(PRINCIPAL_KEY, principal);
            if (principal != null) {
                // The gateway's own resources declare who may call them with @RolesAllowed: they read this identity.
                QuarkusHttpUser.setIdentity(TeamRoleAugmentor.expand(PrincipalIdentityProvider.identity(principal, null)), ctx);
            }
            ctx.request().resume();
            ctx.next();
            return;
        }
        String token = tokens.sign(principal);
        Matcher issue = StreamTokenAccess.ISSUE.matcher(ctx.normalizedPath());
        if (issue.matches() && ctx.request().method() == HttpMethod.POST) {
            ctx.request().resume();
            streamAccess.issue(ctx, token, principal, issue.group(1));
            return;
        }
        Matcher preview = TaskPreviewImages.PATH.matcher(ctx.normalizedPath());
        if (preview.matches() && ctx.request().method() == HttpMethod.GET) {
            ctx.request().resume();
            previews.serve(ctx, principal, preview.group(1));
            return;
        }
        if (TEAM_EVENTS.equals(ctx.normalizedPath()) && ctx.request().method() == HttpMethod.GET) {
            ctx.request().resume();
            teamStreams.open(ctx, token, principal.teamId());
            return;
        }
        if (CONTAINER_CALL.matcher(ctx.normalizedPath()).matches()) {
            StreamingForward.forward(ctx.request(), proxy.client(), proxy.service(RouteTable.AGENT_HUB), java.util.Set.of(),
                    PrincipalTokens.HEADER, token);
            return;
        }
        Matcher events = TASK_EVENTS.matcher(ctx.normalizedPath());
        boolean stream = events.matches() && ctx.request().method() == HttpMethod.GET && wantsStream(ctx);
        boolean longPoll = events.matches() && ctx.request().method() == HttpMethod.GET && !stream && ctx.request().getParam("wait") != null;
        if (stream || longPoll) {
            ctx.request().resume();
            UUID task;
            try {
                task = UUID.fromString(events.group(1));
            } catch (IllegalArgumentException e) {
                GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "task not found"));
                return;
            }
            if (stream) {
                streams.open(ctx, token, task);
                return;
            }
            try {
                polls.poll(ctx, token, task, number(ctx, "after", 0, Long.MAX_VALUE), (int) number(ctx, "wait", 0, MAX_WAIT_SECONDS));
            } catch (ApiException e) {
                GatewayErrors.send(ctx, e);
            }
            return;
        }
        proxy.readBody(ctx.request()).subscribe().with(body -> {
            if (RouteTable.MCP_SERVICE.equals(route.service())) {
                mcp.forward(ctx, token, body);
            } else {
                proxy.forward(ctx, route.service(), token, body);
            }
        }, failure -> GatewayErrors.send(ctx, failure));
    }

    /** A whole-number query parameter within bounds (absent: the minimum), or a 400 naming it. */
    static long number(RoutingContext ctx, String name, long min, long max) {
        String raw = ctx.request().getParam(name);
        if (raw == null || raw.isBlank()) {
            return min;
        }
        try {
            long value = Long.parseLong(raw.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid(name + " is invalid", List.of(new FieldError(name, "must be a whole number from " + min + " to " + max)));
    }

    /**
     * SSE unless the caller asks for the JSON event log ({@code ?after=N} or {@code ?wait=S}, or {@code Accept: application/json}
     * without {@code text/event-stream}).
     */
    static boolean wantsStream(RoutingContext ctx) {
        if (ctx.request().getParam("after") != null || ctx.request().getParam("wait") != null) {
            return false;
        }
        String accept = ctx.request().getHeader("Accept");
        return accept == null || accept.contains("text/event-stream") || !accept.contains("application/json");
    }
}
