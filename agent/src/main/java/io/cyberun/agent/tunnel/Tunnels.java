package io.cyberun.agent.tunnel;

import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.protocol.TunnelProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * This agent's interactive tunnel sessions: which are open, to which port, and the streams they carry. The agent
 * decides which ports it lets a tunnel reach (its config's {@code tunnel_ports}, by default ComfyUI's 8188 only) and
 * refuses others with a reason. A session no stream has used for the idle limit is closed by the agent itself.
 */
public final class Tunnels {
    private final Set<Integer> allowedPorts;
    private final Duration idleLimit;
    private final Consumer<AgentMessage> send;
    private final Runnable statusChanged;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();

    /** One open session; {@code lastUsed} in epoch millis, touched by its streams' traffic. */
    static final class Session {
        final String id;
        final int port;
        final TunnelProtocol.Kind kind;
        volatile long lastUsed;

        Session(String id, int port, TunnelProtocol.Kind kind, long now) {
            this.id = id;
            this.port = port;
            this.kind = kind;
            this.lastUsed = now;
        }
    }

    /** Container replicas this agent runs, by replica id: where their streams go (null when it runs no such replica). */
    private final java.util.function.Function<String, StreamTarget> replicas;

    public Tunnels(Set<Integer> allowedPorts, Duration idleLimit, Consumer<AgentMessage> send, Runnable statusChanged, Clock clock) {
        this(allowedPorts, idleLimit, send, statusChanged, clock, id -> null);
    }

    public Tunnels(Set<Integer> allowedPorts, Duration idleLimit, Consumer<AgentMessage> send, Runnable statusChanged, Clock clock,
                   java.util.function.Function<String, StreamTarget> replicas) {
        this.replicas = replicas;
        this.allowedPorts = Set.copyOf(allowedPorts);
        this.idleLimit = idleLimit;
        this.send = send;
        this.statusChanged = statusChanged;
        this.clock = clock;
    }

    /** Whether any session is open (the agent then reports {@code tunnel} and takes no tasks). */
    public boolean anyOpen() {
        return !sessions.isEmpty();
    }

    public void open(HubMessage.TunnelOpen open) {
        if (!allowedPorts.contains(open.targetPort())) {
            AgentLog.warn("tunnel %s refused: port %d is not in this agent's tunnel_ports %s", open.sessionId(), open.targetPort(), allowedPorts);
            send.accept(new AgentMessage.TunnelState(open.sessionId(), false, "this agent does not allow tunnels to port " + open.targetPort()
                    + " (it allows " + allowedPorts + "; see tunnel_ports in its config)"));
            return;
        }
        sessions.put(open.sessionId(), new Session(open.sessionId(), open.targetPort(), open.tunnelProtocol(), clock.millis()));
        AgentLog.info("tunnel %s open to port %d (%s)", open.sessionId(), open.targetPort(), open.tunnelProtocol().wireName());
        send.accept(new AgentMessage.TunnelState(open.sessionId(), true, null));
        statusChanged.run();
    }

    public void close(HubMessage.TunnelClose close) {
        List<String> ids = close.sessionId() == null ? new ArrayList<>(sessions.keySet()) : List.of(close.sessionId());
        for (String id : ids) {
            end(id, "closed by its owner");
        }
    }

    /** Closes the sessions no stream used for the idle limit. */
    public void closeIdle() {
        long now = clock.millis();
        for (Session s : List.copyOf(sessions.values())) {
            if (now - s.lastUsed > idleLimit.toMillis()) {
                end(s.id, "idle for " + idleLimit.toMinutes() + " min");
            }
        }
    }

    /** Closes every session (the hub connection is gone: the hub forgets them too). */
    public void closeAll() {
        if (!sessions.isEmpty()) {
            sessions.clear();
            statusChanged.run();
        }
    }

    private void end(String id, String reason) {
        if (sessions.remove(id) != null) {
            AgentLog.info("tunnel %s closed: %s", id, reason);
            send.accept(new AgentMessage.TunnelState(id, false, reason));
            statusChanged.run();
        }
    }

    /**
     * Dials the hub for one stream of an open session and relays it to the session's port, or for a call of a
     * container replica ({@link TunnelProtocol#REPLICA_PREFIX}) and relays it to the replica.
     */
    public void stream(HubMessage.StreamOpen open, URI hub) {
        URI uri = hub.resolve(TunnelProtocol.STREAM_PATH + open.streamId());
        if (open.sessionId() != null && open.sessionId().startsWith(TunnelProtocol.REPLICA_PREFIX)) {
            String replica = open.sessionId().substring(TunnelProtocol.REPLICA_PREFIX.length());
            StreamTarget target = replicas.apply(replica);
            if (target == null || open.kind() == TunnelProtocol.StreamKind.TCP) {
                StreamRelay.refuse(http, uri, "replica " + replica + " does not run on this agent (any more)");
            } else if (open.kind() == TunnelProtocol.StreamKind.HTTP) {
                HttpRelay.start(http, uri, () -> replicas.apply(replica), open.reusable(), () -> { });
            } else {
                WebSocketRelay.start(http, uri, target, () -> { });
            }
            return;
        }
        Session session = sessions.get(open.sessionId());
        if (session == null) {
            AgentLog.warn("stream %s for unknown tunnel %s refused", open.streamId(), open.sessionId());
            StreamRelay.refuse(http, uri, "no open tunnel " + open.sessionId() + " on this agent");
            return;
        }
        Runnable used = () -> session.lastUsed = clock.millis();
        used.run();
        switch (open.kind()) {
            case TCP -> TcpRelay.start(http, uri, session.port, used);
            case HTTP -> HttpRelay.start(http, uri, StreamTarget.port(session.port), used);
            case WEBSOCKET -> WebSocketRelay.start(http, uri, StreamTarget.port(session.port), used);
        }
    }
}
