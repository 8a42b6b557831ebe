package io.cyberun.agenthub.tunnel;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * The interactive tunnel sessions of agents (API notes §5.7). A session is opened on the agent (which may refuse,
 * naming why) and then kept in Redis: its agent, port, protocol and access token, so any hub replica can check a
 * tunnel URL's token. A tunnel URL is {@code /tunnel/<session>.<token>/}: the token is the bearer, so the URL can be
 * shared, and the whole path below it belongs to the agent's app. Sessions end when their owner closes them, when the
 * agent closes them (idle), or when the agent's connection ends.
 */
@ApplicationScoped
public class TunnelSessions {
    private static final Logger LOG = Logger.getLogger(TunnelSessions.class);
    static final Duration ANSWER_WAIT = Duration.ofSeconds(10);
    /** A session's record outlives no agent connection; this bounds a record whose hub replica died. */
    static final Duration RECORD_TTL = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An open session as its record holds it. */
    public record Session(String id, UUID teamId, String agentId, int port, TunnelProtocol.Kind protocol, String token, String adminToken) {
        public String path() {
            return "/tunnel/" + id + "." + token + "/";
        }
    }

    private final AgentConnections connections;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSetCommands<String, String> sets;
    private final ReactiveKeyCommands<String> keys;
    private final String prefix;
    private final Map<String, io.smallrye.mutiny.subscription.UniEmitter<? super AgentMessage.TunnelState>> answers = new ConcurrentHashMap<>();

    public TunnelSessions(AgentConnections connections, ReactiveRedisDataSource redis, CyberunConfig config) {
        this.connections = connections;
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
        this.keys = redis.key();
        this.prefix = config.redis().keyPrefix();
    }

    /** Opens a session on the agent; fails with a 4xx naming why when the agent is not here or refuses. */
    public Uni<Session> open(UUID team, String agentId, int port, TunnelProtocol.Kind protocol) {
        AgentSession agent = connections.current(team, agentId).filter(s -> !s.closed()).orElse(null);
        if (agent == null) {
            return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "no connected agent " + agentId + " in this team"));
        }
        Session session = new Session(UUID.randomUUID().toString(), team, agentId, port, protocol, secret(), secret());
        Uni<AgentMessage.TunnelState> answered = Uni.createFrom().<AgentMessage.TunnelState>emitter(e -> answers.put(session.id(), e))
                .ifNoItem().after(ANSWER_WAIT).failWith(() -> new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE,
                        "agent " + agentId + " did not answer the tunnel request within " + ANSWER_WAIT.toSeconds() + " s; try again"))
                .onTermination().invoke(() -> answers.remove(session.id()));
        return Uni.combine().all().unis(answered,
                        agent.connection().sendText(new HubMessage.TunnelOpen(session.id(), port, protocol))).asTuple()
                .map(t -> t.getItem1())
                .flatMap(state -> {
                    if (!state.open()) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.FORBIDDEN, "agent " + agentId + " refused the tunnel: " + state.reason()));
                    }
                    return store(session).replaceWith(session);
                });
    }

    /** The agent's answer to an open or close, or its own closing of a session. */
    public Uni<Void> reported(AgentSession agent, AgentMessage.TunnelState state) {
        var waiting = answers.remove(state.sessionId());
        if (waiting != null) {
            waiting.complete(state);
        }
        if (state.open()) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("tunnel %s of agent %s closed: %s", state.sessionId(), agent.agentId(), state.reason());
        return forget(agent.teamId(), agent.agentId(), List.of(state.sessionId()));
    }

    /** The agent's open sessions. */
    public Uni<List<Session>> list(UUID team, String agentId) {
        return sets.smembers(agentKey(team, agentId)).flatMap(ids -> {
            if (ids.isEmpty()) {
                return Uni.createFrom().item(List.<Session>of());
            }
            List<Uni<Session>> reads = ids.stream().map(this::read).toList();
            return Uni.join().all(reads).andFailFast().map(all -> all.stream().filter(s -> s != null && s.teamId().equals(team)).toList());
        });
    }

    /** Closes one session ({@code sessionId}) or all of the agent's; answers how many were open. */
    public Uni<Integer> close(UUID team, String agentId, String sessionId) {
        return list(team, agentId).flatMap(open -> {
            List<String> ids = open.stream().map(Session::id).filter(id -> sessionId == null || id.equals(sessionId)).toList();
            if (ids.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            connections.current(team, agentId).filter(s -> !s.closed()).ifPresent(agent ->
                    ids.forEach(id -> agent.connection().sendText(new HubMessage.TunnelClose(id)).subscribe().with(ok -> { }, e -> { })));
            return forget(team, agentId, ids).replaceWith(ids.size());
        });
    }

    /** The agent's connection ended: its sessions end with it. */
    public Uni<Void> agentGone(UUID team, String agentId) {
        return sets.smembers(agentKey(team, agentId)).flatMap(ids -> ids.isEmpty() ? Uni.createFrom().voidItem()
                : forget(team, agentId, new ArrayList<>(ids)));
    }

    /** The session a tunnel URL's {@code <session>.<token>} names, or null when there is none or the token is wrong. */
    public Uni<Session> check(String sessionAndToken) {
        int dot = sessionAndToken.indexOf('.');
        if (dot <= 0) {
            return Uni.createFrom().nullItem();
        }
        String token = sessionAndToken.substring(dot + 1);
        return read(sessionAndToken.substring(0, dot)).map(s -> s != null && MessageDigest.isEqual(
                s.token().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8)) ? s : null);
    }

    private Uni<Void> store(Session s) {
        Map<String, String> fields = new HashMap<>();
        fields.put("team", s.teamId().toString());
        fields.put("agent", s.agentId());
        fields.put("port", Integer.toString(s.port()));
        fields.put("protocol", s.protocol().wireName());
        fields.put("token", s.token());
        fields.put("admin_token", s.adminToken());
        return hashes.hset(sessionKey(s.id()), fields)
                .call(() -> keys.expire(sessionKey(s.id()), RECORD_TTL))
                .call(() -> sets.sadd(agentKey(s.teamId(), s.agentId()), s.id()))
                .call(() -> keys.expire(agentKey(s.teamId(), s.agentId()), RECORD_TTL))
                .replaceWithVoid();
    }

    private Uni<Session> read(String id) {
        return hashes.hgetall(sessionKey(id)).map(f -> f == null || f.isEmpty() ? null : new Session(id, UUID.fromString(f.get("team")),
                f.get("agent"), Integer.parseInt(f.get("port")), TunnelProtocol.Kind.fromWire(f.get("protocol")), f.get("token"), f.get("admin_token")));
    }

    private Uni<Void> forget(UUID team, String agentId, List<String> ids) {
        return keys.del(ids.stream().map(this::sessionKey).toArray(String[]::new))
                .call(() -> sets.srem(agentKey(team, agentId), ids.toArray(String[]::new)))
                .replaceWithVoid();
    }

    private String sessionKey(String id) {
        return prefix + "tunnel:" + id;
    }

    private String agentKey(UUID team, String agentId) {
        return prefix + "tunnels:" + team + ":" + agentId;
    }

    private static String secret() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
