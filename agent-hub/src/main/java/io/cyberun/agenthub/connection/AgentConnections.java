package io.cyberun.agenthub.connection;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The agent connections this hub replica holds: by connection, and the current session of each agent. */
@ApplicationScoped
public class AgentConnections {
    private final Map<String, AgentSession> byConnection = new ConcurrentHashMap<>();
    private final Map<String, AgentSession> byAgent = new ConcurrentHashMap<>();

    public void opened(AgentSession session) {
        byConnection.put(session.connection().id(), session);
    }

    public Optional<AgentSession> byConnection(String connectionId) {
        return Optional.ofNullable(byConnection.get(connectionId));
    }

    /** Makes the session the agent's current one; returns the session it replaces, if any. */
    public Optional<AgentSession> introduce(AgentSession session) {
        return Optional.ofNullable(byAgent.put(key(session.teamId(), session.agentId()), session))
                .filter(previous -> previous != session);
    }

    /** The agent's current session on this replica, open or in its reconnect grace period. */
    public Optional<AgentSession> current(UUID team, String agentId) {
        return Optional.ofNullable(byAgent.get(key(team, agentId)));
    }

    public boolean isCurrent(AgentSession session) {
        return session.isHello() && byAgent.get(key(session.teamId(), session.agentId())) == session;
    }

    public void connectionClosed(AgentSession session) {
        byConnection.remove(session.connection().id(), session);
    }

    /** Forgets the agent's session (only if it is still the current one). */
    public boolean forget(AgentSession session) {
        return session.isHello() && byAgent.remove(key(session.teamId(), session.agentId()), session);
    }

    public Collection<AgentSession> sessions() {
        return byAgent.values();
    }

    public int openConnections() {
        return byConnection.size();
    }

    private static String key(UUID team, String agentId) {
        return team + "/" + agentId;
    }
}
