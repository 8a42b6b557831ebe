package io.cyberun.contracts.events;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.AgentVersions;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.agent.SystemStats;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An agent's connection and status changes, on topic {@code agent-events}, from the hub replica holding it.
 * {@code sessionId} names one connection: an event of an older session than the agent's current one is stale.
 */
public sealed interface AgentEvent extends EventData permits AgentEvent.Connected, AgentEvent.StatusChanged,
        AgentEvent.Disconnected {

    EventFamily<AgentEvent> FAMILY = EventFamily.of(AgentEvent.class, "io.cyberun.agent.");

    String agentId();

    String hubId();

    String sessionId();

    Instant at();

    @Override
    default String subject() {
        return agentId();
    }

    /** Agent ids are chosen by their owners, so they are only unique within a team. */
    @Override
    default String key() {
        return teamId() + "/" + agentId();
    }

    /** {@code models}: the names ({@code <model_type>/<model_path>}) of the models the agent has. */
    record Connected(UUID teamId, String agentId, String hubId, String sessionId, Instant at, List<String> labels,
                     int gpuCapacity, AgentStatus status, List<RunningTask> runningTasks, SystemStats systemStats,
                     AgentVersions versions, List<String> models) implements AgentEvent {
        public Connected(UUID teamId, String agentId, String hubId, String sessionId, Instant at, List<String> labels, int gpuCapacity,
                         AgentStatus status, List<RunningTask> runningTasks, SystemStats systemStats, AgentVersions versions) {
            this(teamId, agentId, hubId, sessionId, at, labels, gpuCapacity, status, runningTasks, systemStats, versions, null);
        }
    }

    /** {@code models}, when not null, replaces what the agent was known to have (it reports them after a sync). */
    record StatusChanged(UUID teamId, String agentId, String hubId, String sessionId, Instant at,
                         AgentStatus status, List<RunningTask> runningTasks, List<String> models) implements AgentEvent {
        public StatusChanged(UUID teamId, String agentId, String hubId, String sessionId, Instant at, AgentStatus status,
                             List<RunningTask> runningTasks) {
            this(teamId, agentId, hubId, sessionId, at, status, runningTasks, null);
        }
    }

    record Disconnected(UUID teamId, String agentId, String hubId, String sessionId, Instant at, String reason,
                        List<RunningTask> runningTasks) implements AgentEvent {
    }
}
