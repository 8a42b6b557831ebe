package io.cyberun.agenthub.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.redis.LuaScript;
import io.cyberun.contracts.agent.AgentLiveness;
import io.cyberun.contracts.agent.AgentTimings;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The team's connected agents as the API shows them, in Redis, so any hub replica answers for all, and each agent's
 * liveness key, which the scheduler watches to notice a hub that died. Nothing is written per message: a message
 * marks its session changed, and a flush every second writes the changed sessions (and renews the others every few
 * seconds) with one script call each. Only a session that is still its agent's current one on this replica, and has
 * heard from its agent within the silence limit, renews the liveness key, and only while the key names that session
 * or nobody: a replaced connection can never take the key back from its successor, here or on another replica.
 * A record lives a few heartbeats without a refresh, so the agents of a replica that died vanish from the list.
 */
@ApplicationScoped
public class AgentDirectory {
    private static final Logger LOG = Logger.getLogger(AgentDirectory.class);
    static final Duration RECORD_TTL = AgentTimings.SILENCE_LIMIT.multipliedBy(2);

    /**
     * KEYS: liveness, record, members, the session's tombstone; ARGV: session, agent, tombstone TTL. The tombstone keeps
     * a flush of the same session that was already on its way (another connection of the pool may run it later) from
     * writing the record back: a dropped session never returns (a reconnect is a new session).
     */
    static final LuaScript REMOVE = new LuaScript("""
            redis.call('SET', KEYS[4], '1', 'EX', ARGV[3])
            local owner = redis.call('GET', KEYS[1])
            if owner and owner ~= ARGV[1] then return 0 end
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('SREM', KEYS[3], ARGV[2])
            return 1
            """);
    /**
     * KEYS: liveness, record, members, the session's tombstone; ARGV: session, agent, record JSON, record TTL, liveness
     * TTL (0: leave it), take over (1: a new connection's hello, which wins over whatever session the key names).
     */
    static final LuaScript WRITE = new LuaScript("""
            if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
            redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
            redis.call('SADD', KEYS[3], ARGV[2])
            if ARGV[5] == '0' then return 1 end
            local owner = redis.call('GET', KEYS[1])
            if ARGV[6] == '1' or not owner or owner == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
              return 1
            end
            return 0
            """);

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSetCommands<String, String> sets;
    private final AgentConnections connections;
    private final ObjectMapper json;
    private final InstanceIdentity identity;
    private final Clock clock;
    private final String prefix;
    private final Duration silenceLimit;
    private final Duration renewEvery;

    public AgentDirectory(ReactiveRedisDataSource redis, AgentConnections connections, ObjectMapper json, InstanceIdentity identity,
                          CyberunConfig config, HubConfig hub, Clock clock) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.sets = redis.set(String.class);
        this.connections = connections;
        this.json = json;
        this.identity = identity;
        this.clock = clock;
        this.prefix = config.redis().keyPrefix();
        this.silenceLimit = hub.silenceLimit();
        // A third of the silence limit: the key outlives two lost flushes.
        this.renewEvery = hub.silenceLimit().dividedBy(3);
    }

    /** A new connection said hello: its record and liveness are written now, taking the key over from any earlier session. */
    public Uni<Void> announce(AgentSession session) {
        return write(session, true);
    }

    /** Something about the session changed; the next flush writes it. */
    public void changed(AgentSession session) {
        session.markDirty();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return flush().onFailure().invoke(e -> LOG.debugf("writing the agent directory failed, retrying: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Writes what changed since the last flush, and renews what is due. */
    public Uni<Void> flush() {
        Instant now = clock.instant();
        List<AgentSession> due = new ArrayList<>();
        for (AgentSession s : connections.sessions()) {
            if (!s.closed() && connections.isCurrent(s) && (s.dirty() || !s.publishedAt().plus(renewEvery).isAfter(now))) {
                due.add(s);
            }
        }
        return writeAll(due);
    }

    /** Writes every current session's record and liveness again (after Redis lost them). */
    public Uni<Void> rewriteAll() {
        List<AgentSession> all = new ArrayList<>();
        for (AgentSession s : connections.sessions()) {
            if (!s.closed() && connections.isCurrent(s)) {
                all.add(s);
            }
        }
        return writeAll(all);
    }

    private Uni<Void> writeAll(List<AgentSession> sessions) {
        if (sessions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Sent together: the client pipelines them on its connection.
        return Uni.join().all(sessions.stream().map(s -> write(s, false)).toList()).andCollectFailures().replaceWithVoid();
    }

    private Uni<Void> write(AgentSession session, boolean takeOver) {
        if (session.closed()) {
            return Uni.createFrom().voidItem(); // a late message of a connection that was replaced
        }
        Instant now = clock.instant();
        session.published(now);
        // A session that stopped hearing from its agent lets the liveness key run out.
        boolean heard = session.lastSeen().plus(silenceLimit).isAfter(now);
        String liveness = takeOver || heard ? Long.toString(Math.max(1, silenceLimit.toSeconds())) : "0";
        return WRITE.run(redis, List.of(AgentLiveness.key(prefix, session.teamId(), session.agentId()), record(session.teamId(), session.agentId()),
                        members(session.teamId()), tombstone(session)),
                List.of(session.sessionId(), session.agentId(), write(AgentView.of(session, hubId())), Long.toString(RECORD_TTL.toSeconds()),
                        liveness, takeOver ? "1" : "0"))
                .replaceWithVoid();
    }

    /**
     * Forgets the agent, unless it already came back under a newer session (possibly on another replica): the
     * liveness key names the session that owns the records.
     */
    public Uni<Void> remove(AgentSession session) {
        return REMOVE.run(redis, List.of(AgentLiveness.key(prefix, session.teamId(), session.agentId()),
                        record(session.teamId(), session.agentId()), members(session.teamId()), tombstone(session)),
                List.of(session.sessionId(), session.agentId(), Long.toString(RECORD_TTL.toSeconds())))
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

    /** Marks a removed session for as long as a record could live, so no late write of it brings the record back. */
    private String tombstone(AgentSession session) {
        return prefix + "hub-gone:" + session.sessionId();
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
