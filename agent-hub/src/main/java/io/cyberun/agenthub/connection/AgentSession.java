package io.cyberun.agenthub.connection;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.AgentVersions;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.agent.SystemStats;
import io.quarkus.websockets.next.WebSocketConnection;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One agent connection on this hub replica. It knows nothing of the agent until its hello; after that it tracks
 * the dispatches the agent has not acknowledged yet and the tasks it runs, each with its attempt number.
 */
public final class AgentSession {
    private final WebSocketConnection connection;
    private final UUID teamId;
    private final UUID credentialId;
    private final String sessionId = UUID.randomUUID().toString();
    private final Instant openedAt;
    /** Dispatched, not yet acknowledged: task → attempt. */
    private final Map<UUID, Integer> dispatched = new ConcurrentHashMap<>();
    /** Acknowledged and running: task → attempt. */
    private final Map<UUID, Integer> running = new ConcurrentHashMap<>();
    private volatile String agentId;
    private volatile List<String> labels = List.of();
    private volatile int capacity;
    private volatile SystemStats systemStats;
    private volatile AgentVersions versions;
    /** A status the agent decided itself (syncing, unhealthy, tunnel); {@code null} when it is ready. */
    private volatile AgentStatus selfReported;
    private volatile String syncPhase;
    private volatile String syncDetail;
    private volatile Double syncPercent;
    private volatile Instant lastSeen;
    /** The models the agent last said it has, or {@code null} before it said. */
    private volatile List<String> models;
    private volatile Instant connectedAt;
    private volatile int tasksCompleted;
    private volatile boolean closed;
    /** Set when the connection's agent key was revoked: nothing it sends counts any more. */
    private volatile boolean revoked;
    /** Something the directory shows changed since it was last written. */
    private volatile boolean dirty;
    private volatile Instant publishedAt = Instant.EPOCH;
    /** Attempts this connection saw end (completed, failed, cancelled), newest last: a repeated dispatch of one is dropped. */
    private final Set<String> finished = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    }));
    static final int FINISHED_REMEMBERED = 4096;

    public AgentSession(WebSocketConnection connection, UUID teamId, UUID credentialId, Instant now) {
        this.connection = connection;
        this.teamId = teamId;
        this.credentialId = credentialId;
        this.openedAt = now;
        this.lastSeen = now;
    }

    public void hello(String agentId, List<String> labels, int capacity, SystemStats stats, AgentVersions versions,
                      List<RunningTask> runningTasks, Instant now) {
        this.agentId = agentId;
        this.labels = List.copyOf(labels);
        this.capacity = capacity;
        this.systemStats = stats;
        this.versions = versions;
        this.connectedAt = now;
        this.lastSeen = now;
        runningTasks.forEach(t -> running.put(t.taskId(), t.attempt()));
    }

    /** idle or busy by what it runs, unless the agent reported syncing, unhealthy or tunnel. */
    public AgentStatus status() {
        AgentStatus own = selfReported;
        if (own != null && own != AgentStatus.IDLE && own != AgentStatus.BUSY) {
            return own;
        }
        return running.isEmpty() && dispatched.isEmpty() ? AgentStatus.IDLE : AgentStatus.BUSY;
    }

    public void reportStatus(AgentStatus status, String phase, String detail, Double percent) {
        this.selfReported = status;
        this.syncPhase = phase;
        this.syncDetail = detail;
        this.syncPercent = percent;
    }

    public List<RunningTask> runningTasks() {
        return running.entrySet().stream().map(e -> new RunningTask(e.getKey(), e.getValue())).toList();
    }

    /** Tasks this agent holds in any way: dispatched or running. */
    public List<RunningTask> heldTasks() {
        List<RunningTask> all = new java.util.ArrayList<>(runningTasks());
        dispatched.forEach((task, attempt) -> all.add(new RunningTask(task, attempt)));
        return all;
    }

    public boolean isHello() {
        return agentId != null;
    }

    public Map<UUID, Integer> dispatched() {
        return dispatched;
    }

    public Map<UUID, Integer> running() {
        return running;
    }

    public boolean runs(UUID task, int attempt) {
        Integer a = running.get(task);
        return a != null && a == attempt;
    }

    public void seen(Instant now) {
        lastSeen = now;
    }

    public void completedOne() {
        tasksCompleted++;
    }

    public void markClosed() {
        closed = true;
    }

    public WebSocketConnection connection() {
        return connection;
    }

    public UUID teamId() {
        return teamId;
    }

    public UUID credentialId() {
        return credentialId;
    }

    public String sessionId() {
        return sessionId;
    }

    public String agentId() {
        return agentId;
    }

    public List<String> labels() {
        return labels;
    }

    public int capacity() {
        return capacity;
    }

    public SystemStats systemStats() {
        return systemStats;
    }

    public AgentVersions versions() {
        return versions;
    }

    public String syncPhase() {
        return syncPhase;
    }

    public String syncDetail() {
        return syncDetail;
    }

    public Double syncPercent() {
        return syncPercent;
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    public Instant openedAt() {
        return openedAt;
    }

    public int tasksCompleted() {
        return tasksCompleted;
    }

    public List<String> models() {
        return models;
    }

    public void models(List<String> has) {
        this.models = has == null ? null : List.copyOf(has);
    }

    public void markDirty() {
        dirty = true;
    }

    public boolean dirty() {
        return dirty;
    }

    /** The directory wrote the session now. */
    public void published(Instant at) {
        dirty = false;
        publishedAt = at;
    }

    public Instant publishedAt() {
        return publishedAt;
    }

    /** The attempt ended on this connection. */
    public void finished(UUID task, int attempt) {
        finished.add(task + "/" + attempt);
    }

    public boolean hasFinished(UUID task, int attempt) {
        return finished.contains(task + "/" + attempt);
    }

    public void markRevoked() {
        revoked = true;
        closed = true;
    }

    public boolean revoked() {
        return revoked;
    }

    public boolean closed() {
        return closed;
    }
}
