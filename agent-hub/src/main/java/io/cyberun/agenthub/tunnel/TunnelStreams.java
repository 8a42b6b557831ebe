package io.cyberun.agenthub.tunnel;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.http.ServerWebSocket;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streams to agents: asks the agent (over its connection to this replica) to dial back for a new stream, and hands
 * the arriving WebSocket to whoever asked. A stream id is a single-use secret the agent got over its authenticated
 * connection, so holding it proves the dial comes from that agent.
 */
@ApplicationScoped
public class TunnelStreams {
    private final AgentConnections connections;
    private final Map<String, UniEmitter<? super ServerWebSocket>> waiting = new ConcurrentHashMap<>();
    /** Idle reusable streams per agent and target, most recently used first. */
    private final Map<String, java.util.Deque<Idle>> idle = new ConcurrentHashMap<>();
    /** Idle streams kept per agent and target (more are closed), and for how long. */
    static final int MAX_IDLE = 64;
    static final long IDLE_NANOS = Duration.ofSeconds(30).toNanos();
    private final SecureRandom random = new SecureRandom();

    /** Why a stream could not be had; the relay answers its client with the status. */
    public static final class Unavailable extends RuntimeException {
        public final int status;

        Unavailable(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    public TunnelStreams(AgentConnections connections) {
        this.connections = connections;
    }

    /** A new stream of the session's agent, of the given kind. */
    public Uni<ServerWebSocket> open(TunnelSessions.Session session, TunnelProtocol.StreamKind kind) {
        return open(session.teamId(), session.agentId(), session.id(), kind, "the tunnel is gone");
    }

    /**
     * A new stream of the agent's, to what {@code target} names on it (a tunnel session, or a container replica:
     * {@link TunnelProtocol#REPLICA_PREFIX}{@code <replica id>}); {@code gone}: what it means when the agent is not here.
     */
    public Uni<ServerWebSocket> open(java.util.UUID team, String agentId, String target, TunnelProtocol.StreamKind kind, String gone) {
        return open(team, agentId, target, kind, gone, false);
    }

    /**
     * An {@code http} stream for one exchange with {@code target} on the agent: an idle one a previous exchange handed
     * back ({@link #reuse}), or a new reusable one. Handing it back after a complete exchange saves a dial per call.
     */
    public Uni<ServerWebSocket> reusable(java.util.UUID team, String agentId, String target, String gone) {
        java.util.Deque<Idle> pool = idle.get(poolKey(team, agentId, target));
        long now = System.nanoTime();
        for (Idle i; pool != null && (i = pool.pollFirst()) != null; ) {
            if (i.ws.isClosed()) {
                continue;
            }
            if (now - i.since > IDLE_NANOS) {
                i.ws.close((short) 1000, "idle");
                continue;
            }
            return Uni.createFrom().item(i.ws);
        }
        return open(team, agentId, target, TunnelProtocol.StreamKind.HTTP, gone, true);
    }

    /** A stream whose exchange completed both ways: kept for the next exchange with the same target (a few, for a while). */
    public void reuse(java.util.UUID team, String agentId, String target, ServerWebSocket ws) {
        if (ws.isClosed()) {
            return;
        }
        java.util.Deque<Idle> pool = idle.computeIfAbsent(poolKey(team, agentId, target), k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
        ws.textMessageHandler(null);
        ws.binaryMessageHandler(null);
        ws.exceptionHandler(null);
        ws.endHandler(null);
        Idle entry = new Idle(ws, System.nanoTime());
        ws.closeHandler(v -> pool.remove(entry));
        ws.resume();
        if (pool.size() >= MAX_IDLE) {
            ws.close((short) 1000, "enough idle streams");
            return;
        }
        pool.addFirst(entry);
    }

    private record Idle(ServerWebSocket ws, long since) {
    }

    private static String poolKey(java.util.UUID team, String agentId, String target) {
        return team + "/" + agentId + "/" + target;
    }

    private Uni<ServerWebSocket> open(java.util.UUID team, String agentId, String target, TunnelProtocol.StreamKind kind, String gone,
                                      boolean reusable) {
        AgentSession agent = connections.current(team, agentId).filter(s -> !s.closed()).orElse(null);
        if (agent == null) {
            return Uni.createFrom().failure(new Unavailable(502, "agent " + agentId + " is not connected; " + gone));
        }
        byte[] b = new byte[18];
        random.nextBytes(b);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Uni<ServerWebSocket> arrived = Uni.createFrom().<ServerWebSocket>emitter(e -> waiting.put(id, e))
                .ifNoItem().after(Duration.ofSeconds(TunnelProtocol.DIAL_SECONDS))
                .failWith(() -> new Unavailable(504, "agent " + agentId + " did not open the stream within "
                        + TunnelProtocol.DIAL_SECONDS + " s"))
                .onTermination().invoke(() -> waiting.remove(id));
        return Uni.combine().all().unis(arrived, agent.connection().sendText(new HubMessage.StreamOpen(id, target, kind, reusable)))
                .asTuple().map(t -> t.getItem1());
    }

    /** An agent dialled for a stream; refused when nobody waits for that id (unknown, used or too late). */
    public boolean arrived(String id, ServerWebSocket ws) {
        UniEmitter<? super ServerWebSocket> e = waiting.remove(id);
        if (e == null) {
            return false;
        }
        e.complete(ws);
        return true;
    }

    public boolean expects(String id) {
        return waiting.containsKey(id);
    }
}
