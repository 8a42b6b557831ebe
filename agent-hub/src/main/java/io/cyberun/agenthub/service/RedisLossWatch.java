package io.cyberun.agenthub.service;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.messaging.HubOutbound;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.events.AgentEvent;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Notices that Redis lost what this hub replica wrote (it restarted empty, or was flushed): a marker key the replica
 * sets at start is gone. The replica then writes its agents' records and liveness keys again and announces every agent
 * it holds once more ({@link AgentEvent.Connected}, with the tasks it runs), so the scheduler registers them again
 * and rebuilds their slots from what really runs. Checked every second.
 */
@ApplicationScoped
public class RedisLossWatch {
    private static final Logger LOG = Logger.getLogger(RedisLossWatch.class);

    private final ReactiveValueCommands<String, String> values;
    private final AgentConnections connections;
    private final AgentDirectory directory;
    private final HubOutbound out;
    private final Clock clock;
    private final String marker;

    public RedisLossWatch(ReactiveRedisDataSource redis, AgentConnections connections, AgentDirectory directory, HubOutbound out, Clock clock,
                          CyberunConfig config) {
        this.values = redis.value(String.class);
        this.connections = connections;
        this.directory = directory;
        this.out = out;
        this.clock = clock;
        this.marker = config.redis().keyPrefix() + "hub-epoch:" + directory.hubId();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        return values.setnx(marker, clock.instant().toString()).flatMap(created -> {
            List<AgentSession> held = new ArrayList<>();
            connections.sessions().forEach(s -> {
                if (!s.closed() && connections.isCurrent(s)) {
                    held.add(s);
                }
            });
            if (!created || held.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.warnf("Redis lost this hub's records (its marker was gone): writing them again and announcing %d agent(s) once more",
                    held.size());
            return directory.rewriteAll().call(() -> Multi.createFrom().iterable(held)
                    .onItem().transformToUniAndConcatenate(s -> out.agentEvent(new AgentEvent.Connected(s.teamId(), s.agentId(), directory.hubId(),
                            s.sessionId(), clock.instant(), s.labels(), s.capacity(), s.status(), s.heldTasks(), s.systemStats(), s.versions(),
                            s.models())))
                    .collect().last());
        }).onFailure().invoke(e -> LOG.debugf("checking Redis for lost records failed: %s", e.getMessage())).onFailure().recoverWithNull();
    }
}
