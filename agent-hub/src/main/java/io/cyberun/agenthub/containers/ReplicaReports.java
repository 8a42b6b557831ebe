package io.cyberun.agenthub.containers;

import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.service.AgentDirectory;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.container.ReplicaRecords;
import io.cyberun.contracts.container.ReplicaReport;
import io.cyberun.contracts.container.ReplicaState;
import io.cyberun.contracts.protocol.AgentMessage;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Records what agents report of their container replicas (Redis, for the scheduler, which decides on them), and takes
 * a replica that stopped being healthy out of its service's route at once, before the scheduler's next pass. A report
 * for a replica placed on another agent or team is passed over: an agent speaks only for its own replicas.
 */
@ApplicationScoped
public class ReplicaReports {
    private static final Logger LOG = Logger.getLogger(ReplicaReports.class);

    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveRedisDataSource redis;
    private final ReplicaRecords records;
    private final AgentDirectory directory;
    private final Clock clock;
    /** Replicas this replica saw stop being healthy, and when (epoch millis): calls avoid them until the route is redrawn. */
    private final Map<String, Long> unhealthy = new ConcurrentHashMap<>();

    public ReplicaReports(ReactiveRedisDataSource redis, CyberunConfig config, AgentDirectory directory, Clock clock) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.values = redis.value(String.class);
        this.records = new ReplicaRecords(config.redis().keyPrefix());
        this.directory = directory;
        this.clock = clock;
    }

    public ReplicaRecords records() {
        return records;
    }

    public Uni<Void> reported(AgentSession s, AgentMessage.ReplicaStates states) {
        return Multi.createFrom().iterable(states.replicas()).onItem().transformToUniAndConcatenate(r -> record(s, r))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> record(AgentSession s, ReplicaReport r) {
        if (r.serviceId() == null || r.replicaId() == null || r.state() == null) {
            return Uni.createFrom().voidItem();
        }
        String key = records.reports(r.serviceId());
        return hashes.hget(records.assignments(r.serviceId()), r.replicaId()).flatMap(placed -> {
            if (placed != null) {
                ReplicaRecords.Assignment a = ReplicaRecords.parse(placed, ReplicaRecords.Assignment.class);
                if (a == null || !a.teamId().equals(s.teamId()) || !a.agentId().equals(s.agentId())) {
                    LOG.warnf("agent %s reported replica %s placed elsewhere: passed over", s.agentId(), r.replicaId());
                    return Uni.createFrom().voidItem();
                }
            }
            Uni<Void> write = r.state() == ReplicaState.STOPPED
                    ? hashes.hdel(key, r.replicaId()).replaceWithVoid()
                    : hashes.hset(key, r.replicaId(), ReplicaRecords.json(new ReplicaRecords.Report(s.teamId(), s.agentId(), directory.hubId(), r.state(),
                            r.reason(), r.generation(), r.since(), clock.millis()))).replaceWithVoid()
                    .call(() -> redis.set(String.class).sadd(records.services(), r.serviceId().toString()));
            if (r.state() == ReplicaState.HEALTHY) {
                unhealthy.remove(r.replicaId());
                return write;
            }
            unhealthy.put(r.replicaId(), clock.millis());
            return write.call(() -> dropFromRoute(s, r));
        });
    }

    /** Takes the replica out of the route its service's calls take (the scheduler redraws the route every pass). */
    private Uni<Void> dropFromRoute(AgentSession s, ReplicaReport r) {
        if (r.serviceSlug() == null) {
            return Uni.createFrom().voidItem();
        }
        String key = records.route(s.teamId(), r.serviceSlug());
        return values.get(key).flatMap(raw -> {
            ReplicaRecords.Route route = ReplicaRecords.parse(raw, ReplicaRecords.Route.class);
            if (route == null || route.replicas().stream().noneMatch(t -> t.replicaId().equals(r.replicaId()))) {
                return Uni.createFrom().voidItem();
            }
            return values.set(key, ReplicaRecords.json(new ReplicaRecords.Route(route.serviceId(),
                    route.replicas().stream().filter(t -> !t.replicaId().equals(r.replicaId())).toList())));
        });
    }

    /** Whether calls should pass over the replica (it was reported unhealthy here, or a call found it broken, lately). */
    public boolean avoided(String replicaId) {
        Long since = unhealthy.get(replicaId);
        if (since == null) {
            return false;
        }
        if (clock.millis() - since > 10_000) {
            unhealthy.remove(replicaId);
            return false;
        }
        return true;
    }

    /** A call could not reach the replica: pass over it for a while. */
    public void broken(String replicaId) {
        unhealthy.put(replicaId, clock.millis());
    }
}
