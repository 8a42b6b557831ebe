package io.cyberun.agenthub.service;

import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.contracts.agent.SystemStats;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An agent as {@code GET /api/v1/agents} returns it (the product's agent record, section 5.4 of the notes). */
public record AgentView(
        String agentId,
        String agentStatus,
        List<String> agentLabels,
        Instant lastHeartbeat,
        String agentVersion,
        String tool,
        String toolVersion,
        String comfyuiVersion,
        int gpuCapacity,
        int runningCount,
        List<UUID> runningTasks,
        String currentTaskId,
        String platformArch,
        String syncPhase,
        String syncDetail,
        Double syncPercent,
        Instant connectedAt,
        int tasksCompleted,
        SystemStats systemStats,
        String gatewayId) {

    public static AgentView of(AgentSession s, String hubId) {
        List<UUID> running = s.runningTasks().stream().map(t -> t.taskId()).toList();
        var versions = s.versions();
        SystemStats stats = s.systemStats();
        return new AgentView(s.agentId(), s.status().wireName(), s.labels(), s.lastSeen(),
                versions == null ? null : versions.agentVersion(), versions == null ? null : versions.tool(),
                versions == null ? null : versions.toolVersion(), stats == null ? null : stats.comfyuiVersion(),
                s.capacity(), running.size(), running, running.isEmpty() ? null : running.get(0).toString(),
                stats == null ? null : stats.platformArch(), s.syncPhase(), s.syncDetail(), s.syncPercent(), s.connectedAt(),
                s.tasksCompleted(), stats, hubId);
    }
}
