package io.cyberun.agenthub.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.rest.AgentView;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.contracts.agent.AgentLiveness;
import io.cyberun.contracts.agent.AgentTimings;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The team's connected agents as the API shows them, in Redis, so any hub replica answers for all. Each record
 * also names the replica holding the agent. A record lives a few heartbeats without a refresh, so the agents of
 * a replica that died vanish from the list on their own.
 */
@ApplicationScoped
public class AgentDirectory {
    static final Duration RECORD_TTL = AgentTimings.SILENCE_LIMIT.multipliedBy(2);

    /** KEYS: liveness, record, members; ARGV: session, agent. */
    private static final String REMOVE = """
            local owner = redis.call('GET', KEYS[1])
            if owner and owner ~= ARGV[1] then return 0 end
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('SREM', KEYS[3], ARGV[2])
            return 1
            """;

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSetCommands<String, String> sets;
    private final ReactiveKeyCommands<String> keyCommands;
    private final ObjectMapper json;
    private final InstanceIdentity identity;
    private final String prefix;
    private final long livenessSeconds;

    public AgentDirectory(ReactiveRedisDataSource redis, ObjectMapper json, InstanceIdentity identity, CyberunConfig config,
                          HubConfig hub) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.sets = redis.set(String.class);
        this.keyCommands = redis.key();
        this.json = json;
        this.identity = identity;
        this.prefix = config.redis().keyPrefix();
        this.livenessSeconds = Math.max(1, hub.silenceLimit().toSeconds());
    }

    /** Writes the agent's record and renews its liveness key (the scheduler drops agents whose key expired). */
    public Uni<Void> publish(AgentSession session) {
        if (session.closed()) {
            return Uni.createFrom().voidItem(); // a late message of a connection that was replaced
        }
        AgentView view = AgentView.of(session, hubId());
        return values.setex(record(session.teamId(), session.agentId()), RECORD_TTL.toSeconds(), write(view))
                .call(() -> values.setex(AgentLiveness.key(prefix, session.teamId(), session.agentId()), livenessSeconds,
                        session.sessionId()))
                .call(() -> sets.sadd(members(session.teamId()), session.agentId()))
                .replaceWithVoid();
    }

    /**
     * Forgets the agent, unless it already came back under a newer session (possibly on another replica): the
     * liveness key names the session that owns the records.
     */
    public Uni<Void> remove(AgentSession session) {
        return redis.execute("EVAL", REMOVE, "3", AgentLiveness.key(prefix, session.teamId(), session.agentId()),
                        record(session.teamId(), session.agentId()), members(session.teamId()), session.sessionId(), session.agentId())
                .replaceWithVoid();
    }

    /** The team's agents, by id. Members whose record expired are dropped from the set on the way. */
    public Uni<List<AgentView>> list(UUID team) {
        return sets.smembers(members(team)).flatMap(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> values.get(record(team, id)).call(v -> v == null
                        ? sets.srem(members(team), id) : Uni.createFrom().voidItem()))
                .filter(v -> v != null)
                .map(this::read)
                .collect().asList()
                .map(list -> list.stream().sorted(Comparator.comparing(AgentView::agentId)).toList()));
    }

    public String hubId() {
        return "hub-" + identity.instanceId();
    }

    private String record(UUID team, String agentId) {
        return prefix + "hub-agent:" + team + ":" + agentId;
    }

    private String members(UUID team) {
        return prefix + "hub-agents:" + team;
    }

    private String write(AgentView view) {
        try {
            return json.writeValueAsString(view);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private AgentView read(String value) {
        try {
            return json.readValue(value, AgentView.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable agent record in Redis", e);
        }
    }
}
