package io.cyberun.agenthub.containers;

import io.cyberun.agenthub.tunnel.HubReplicas;
import io.cyberun.agenthub.tunnel.ReplicaForward;
import io.cyberun.agenthub.tunnel.StreamRelays;
import io.cyberun.agenthub.tunnel.TunnelStreams;
import io.cyberun.common.container.ReplicaRecords;
import io.cyberun.common.http.StreamingForward;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transparent proxy into container services: {@code ANY /api/v1/r/containers/<slug>/<path>} goes to one of the
 * service's healthy replicas (in turn), path, query, headers and body as they are, the answer relayed as it comes
 * (server-sent events included), WebSockets too. The replica's agent may be held by another hub replica: the call is
 * passed there. A replica that breaks before answering fails that call with a 502, and calls pass over it until the
 * scheduler redraws the route. Members and above call; the caller's credentials never reach the service.
 */
@ApplicationScoped
public class ContainerCalls {
    static final String PREFIX = "/api/v1/r/containers/";
    static final String OWN_ERROR = "X-Cyberun-Error";

    private final ReactiveValueCommands<String, String> values;
    private final ReplicaReports reports;
    private final TunnelStreams streams;
    private final HubReplicas replicas;
    private final ReplicaForward forward;
    private final Map<UUID, AtomicInteger> turns = new ConcurrentHashMap<>();

    public ContainerCalls(ReactiveRedisDataSource redis, ReplicaReports reports, TunnelStreams streams, HubReplicas replicas,
                          ReplicaForward forward) {
        this.values = redis.value(String.class);
        this.reports = reports;
        this.streams = streams;
        this.replicas = replicas;
        this.forward = forward;
    }

    void install(@Observes Router router) {
        // After Quarkus authenticated the principal token (its security filters run first), before the REST layer.
        router.routeWithRegex("/api/v1/r/containers/([^/]+)(/.*)").order(-5).handler(this::call);
    }

    private void call(RoutingContext ctx) {
        Principal principal = CurrentPrincipal.of(ctx);
        if (principal == null || principal.teamId() == null) {
            ctx.next();
            return;
        }
        if (!principal.hasRole(Role.MEMBER)) {
            fail(ctx, 403, "calling a container service needs the member role or higher");
            return;
        }
        String slug = ctx.pathParam("param0");
        String path = StreamRelays.pathAndQuery(ctx.pathParam("param1"), ctx.request());
        HttpServerRequest request = ctx.request();
        request.pause();
        values.get(reports.records().route(principal.teamId(), slug)).subscribe().with(raw -> {
            ReplicaRecords.Route route = ReplicaRecords.parse(raw, ReplicaRecords.Route.class);
            if (route == null) {
                request.resume();
                fail(ctx, 404, "no deployed container service " + slug + " in this team");
                return;
            }
            ReplicaRecords.Target target = pick(route);
            if (target == null) {
                request.resume();
                fail(ctx, 503, "container service " + slug + " has no healthy replica right now; "
                        + "see its service_status with GET /api/v1/r/containers/" + slug);
                return;
            }
            if (!replicas.local(principal.teamId(), target.agentId())) {
                forward.passOn(ctx, principal.teamId(), target.agentId(), () -> relay(ctx, principal.teamId(), target, path));
            } else {
                relay(ctx, principal.teamId(), target, path);
            }
        }, failure -> {
            request.resume();
            fail(ctx, 503, "the service's route could not be read: " + failure.getMessage());
        });
    }

    private void relay(RoutingContext ctx, UUID team, ReplicaRecords.Target target, String path) {
        Runnable broken = () -> reports.broken(target.replicaId());
        String name = TunnelProtocol.REPLICA_PREFIX + target.replicaId();
        String gone = "its replica " + target.replicaId() + " is unreachable; try again (the next call goes to another replica)";
        if (StreamRelays.isUpgrade(ctx.request())) {
            StreamRelays.relayWebSocket(ctx, streams.open(team, target.agentId(), name, TunnelProtocol.StreamKind.WEBSOCKET, gone), path, broken);
        } else {
            StreamRelays.relayHttp(ctx, streams.reusable(team, target.agentId(), name, gone), path, broken,
                    ws -> streams.reuse(team, target.agentId(), name, ws));
        }
    }

    /** An answer of the platform's own, not the service's: marked, so the structured invoke answers it as an error. */
    static void fail(RoutingContext ctx, int status, String message) {
        ctx.response().putHeader(OWN_ERROR, Integer.toString(status));
        StreamingForward.error(ctx.response(), status, message);
    }

    /** The next healthy replica in turn, passing over those found broken lately (unless every one was). */
    private ReplicaRecords.Target pick(ReplicaRecords.Route route) {
        List<ReplicaRecords.Target> all = route.replicas();
        if (all.isEmpty()) {
            return null;
        }
        List<ReplicaRecords.Target> usable = all.stream().filter(t -> !reports.avoided(t.replicaId())).toList();
        List<ReplicaRecords.Target> from = usable.isEmpty() ? all : usable;
        int turn = turns.computeIfAbsent(route.serviceId(), id -> new AtomicInteger()).getAndIncrement();
        return from.get(Math.floorMod(turn, from.size()));
    }
}
