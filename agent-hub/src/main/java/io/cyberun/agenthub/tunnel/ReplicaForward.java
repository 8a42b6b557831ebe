package io.cyberun.agenthub.tunnel;

import io.cyberun.common.http.StreamingForward;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Tunnels live on the replica that holds the agent's connection (the agent dials its streams back to it). A tunnel
 * call that reaches another replica, opening, reading or closing one or using its URL, is passed on to that one as it
 * is, with the caller's principal; it is never passed on twice.
 */
@ApplicationScoped
public class ReplicaForward {
    static final Set<String> KEEP = Set.of(PrincipalTokens.HEADER.toLowerCase(Locale.ROOT));

    private final HubReplicas replicas;
    private final HttpClient client;

    public ReplicaForward(HubReplicas replicas, Vertx vertx) {
        this.replicas = replicas;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000));
    }

    void install(@Observes Router router) {
        // After Quarkus authenticated the principal token (its security filters run first), before the REST layer.
        router.routeWithRegex("/api/v1/agents/([^/]+)/tunnel").order(-5).handler(this::management);
    }

    private void management(RoutingContext ctx) {
        Principal principal = CurrentPrincipal.of(ctx);
        String agentId = ctx.pathParam("param0");
        if (principal == null || principal.teamId() == null || replicas.local(principal.teamId(), agentId)) {
            ctx.next();
            return;
        }
        ctx.request().pause();
        passOn(ctx, principal.teamId(), agentId, () -> {
            ctx.request().resume();
            ctx.next();
        });
    }

    /**
     * Passes the paused request to the replica that holds the agent, or runs {@code here} (this replica answers, and
     * finds no such agent) when none does or the request was passed on already.
     */
    public void passOn(RoutingContext ctx, UUID team, String agentId, Runnable here) {
        HttpServerRequest request = ctx.request();
        if (request.getHeader(HubReplicas.FORWARDED_BY) != null) {
            here.run();
            return;
        }
        replicas.holder(team, agentId).subscribe().with(holder -> {
            if (holder == null) {
                here.run();
            } else {
                StreamingForward.forward(request, client, holder, KEEP, HubReplicas.FORWARDED_BY, replicas.hubId());
            }
        }, failure -> here.run());
    }
}
