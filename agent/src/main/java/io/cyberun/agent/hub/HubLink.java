package io.cyberun.agent.hub;

import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.protocol.AgentMessage;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The agent's line to the hub across reconnects: a message goes now on a welcomed connection; task results and
 * log lines that cannot be sent are kept and go after the next welcome, so a result is not lost to a reconnect
 * (heartbeats, progress and previews are not worth keeping). It also remembers when the platform was last heard,
 * which bounds the agent's lease on its tasks.
 */
public final class HubLink {
    private final ConcurrentLinkedQueue<AgentMessage> undelivered = new ConcurrentLinkedQueue<>();
    private volatile HubConnection connection;
    private volatile boolean welcomed;
    /** The last welcomed connection, and when it was welcomed: what the lease counts from. */
    private volatile HubConnection welcomedConnection;
    private volatile long lastConnected = System.nanoTime();

    /** A new connection, not yet welcomed: only hello goes on it. */
    public void opened(HubConnection c) {
        connection = c;
        welcomed = false;
    }

    /** The hub welcomed the connection: what waited goes now. */
    public void welcomed() {
        welcomed = true;
        lastConnected = System.nanoTime();
        welcomedConnection = connection;
        deliverUndelivered();
    }

    public void closed() {
        welcomed = false;
    }

    /** The welcomed, open connection, or null. */
    public HubConnection live() {
        HubConnection c = connection;
        return c != null && welcomed && c.isOpen() ? c : null;
    }

    /** When the platform was last heard from (System.nanoTime): a message on the welcomed connection, or its welcome. */
    public long lastHeard() {
        HubConnection c = welcomedConnection;
        return c == null ? lastConnected : Math.max(lastConnected, c.lastHeard());
    }

    /** Sends now if connected; otherwise keeps task results (and log lines) for after the next welcome. */
    public void send(AgentMessage message) {
        if (!sendNow(message) && keep(message)) {
            undelivered.add(message);
        }
    }

    /** Sends if it can (hello on an open connection, anything once welcomed); false if it could not. */
    public boolean sendNow(AgentMessage message) {
        HubConnection c = connection;
        if (c == null || !c.isOpen() || (!welcomed && !(message instanceof AgentMessage.Hello))) {
            return false;
        }
        try {
            c.send(message);
            return true;
        } catch (Exception e) {
            AgentLog.debug("send failed: %s", e.getMessage());
            return false;
        }
    }

    /** Sends what waited, in order, until a send fails. */
    public void deliverUndelivered() {
        AgentMessage m;
        while ((m = undelivered.peek()) != null) {
            if (!sendNow(m)) {
                return;
            }
            undelivered.poll();
        }
    }

    /** The tasks whose result waits to be delivered (hello reports them: the hub accepts a result only for a task reported). */
    public Set<RunningTask> awaitingDelivery() {
        Set<RunningTask> tasks = new LinkedHashSet<>();
        for (AgentMessage m : undelivered) {
            switch (m) {
                case AgentMessage.TaskCompleted c -> tasks.add(new RunningTask(c.taskId(), c.attempt()));
                case AgentMessage.TaskFailed f -> tasks.add(new RunningTask(f.taskId(), f.attempt()));
                case AgentMessage.TaskCancelled c -> tasks.add(new RunningTask(c.taskId(), c.attempt()));
                default -> {
                }
            }
        }
        return tasks;
    }

    /** Closes the current connection (at shutdown). */
    public void close(String reason) {
        HubConnection c = connection;
        if (c != null) {
            c.close(reason);
        }
    }

    private static boolean keep(AgentMessage message) {
        return !(message instanceof AgentMessage.Heartbeat) && !(message instanceof AgentMessage.TaskProgress)
                && !(message instanceof AgentMessage.TaskPreview);
    }
}
