package io.cyberun.contracts.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.agent.SystemStats;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import java.util.List;
import java.util.UUID;

/**
 * A message from an agent to the hub: one JSON text frame with a {@code type}. Every task message names the
 * dispatch {@code attempt} it belongs to, so the hub can refuse a message of an older attempt.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AgentMessage.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = AgentMessage.Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = AgentMessage.StatusUpdate.class, name = "status"),
        @JsonSubTypes.Type(value = AgentMessage.TaskAccepted.class, name = "task_accepted"),
        @JsonSubTypes.Type(value = AgentMessage.TaskRejected.class, name = "task_rejected"),
        @JsonSubTypes.Type(value = AgentMessage.TaskProgress.class, name = "task_progress"),
        @JsonSubTypes.Type(value = AgentMessage.TaskLog.class, name = "task_log"),
        @JsonSubTypes.Type(value = AgentMessage.TaskPreview.class, name = "task_preview"),
        @JsonSubTypes.Type(value = AgentMessage.UploadRequest.class, name = "upload_request"),
        @JsonSubTypes.Type(value = AgentMessage.TaskCompleted.class, name = "task_completed"),
        @JsonSubTypes.Type(value = AgentMessage.TaskFailed.class, name = "task_failed"),
        @JsonSubTypes.Type(value = AgentMessage.TaskCancelled.class, name = "task_cancelled"),
        @JsonSubTypes.Type(value = AgentMessage.TunnelState.class, name = "tunnel_state"),
        @JsonSubTypes.Type(value = AgentMessage.ReplicaStates.class, name = "replica_states")
})
public sealed interface AgentMessage {

    /**
     * The first message on a connection. {@code runningTasks} lets a reconnecting agent keep its tasks;
     * {@code models} names the models it already has ({@code <model_type>/<model_path>}).
     */
    record Hello(int protocolVersion, String agentId, List<String> labels, String agentVersion, String tool,
                 String toolVersion, int gpuCapacity, SystemStats systemStats, List<RunningTask> runningTasks, List<String> models)
            implements AgentMessage {
        public Hello(int protocolVersion, String agentId, List<String> labels, String agentVersion, String tool, String toolVersion,
                     int gpuCapacity, SystemStats systemStats, List<RunningTask> runningTasks) {
            this(protocolVersion, agentId, labels, agentVersion, tool, toolVersion, gpuCapacity, systemStats, runningTasks, null);
        }
    }

    record Heartbeat(List<RunningTask> runningTasks) implements AgentMessage {
    }

    /** A status the agent itself decides: syncing (with progress), unhealthy, or back to ready. */
    record StatusUpdate(AgentStatus status, String syncPhase, String syncDetail, Double syncPercent, List<String> models)
            implements AgentMessage {
        public StatusUpdate(AgentStatus status, String syncPhase, String syncDetail, Double syncPercent) {
            this(status, syncPhase, syncDetail, syncPercent, null);
        }
    }

    record TaskAccepted(UUID taskId, int attempt) implements AgentMessage {
    }

    record TaskRejected(UUID taskId, int attempt, String reason) implements AgentMessage {
    }

    record TaskProgress(UUID taskId, int attempt, ProgressInfo progress) implements AgentMessage {
    }

    record TaskLog(UUID taskId, int attempt, List<LogLine> lines) implements AgentMessage {
    }

    /**
     * A preview image of the running task (best effort: at most one a second, at most
     * {@link io.cyberun.contracts.task.PreviewInfo#MAX_BYTES}; {@code image} travels as base64).
     */
    record TaskPreview(UUID taskId, int attempt, String contentType, String nodeId, byte[] image) implements AgentMessage {
    }

    /** Asks for presigned PUT URLs for output files; answered by {@link HubMessage.UploadUrls}. */
    record UploadRequest(String requestId, UUID taskId, int attempt, List<UploadFile> files) implements AgentMessage {
    }

    record TaskCompleted(UUID taskId, int attempt, List<TaskOutputFile> outputs) implements AgentMessage {
    }

    record TaskFailed(UUID taskId, int attempt, String error, List<LogLine> lastLogs) implements AgentMessage {
    }

    /** The agent stopped the task after a cancel. */
    record TaskCancelled(UUID taskId, int attempt) implements AgentMessage {
    }

    /** An output file the agent wants to upload. */
    record UploadFile(String name, long size, String contentType) {
    }

    /**
     * A tunnel session's state: the answer to tunnel_open (open, or not with the refusal's reason) and to
     * tunnel_close, and sent unasked when the agent closes a session itself (idle too long).
     */
    record TunnelState(String sessionId, boolean open, String reason) implements AgentMessage {
    }

    /**
     * Every container replica the agent holds, with its state: sent on each change, after every welcome and every
     * ten seconds. A replica reported {@code stopped} or {@code failed} is then forgotten by the agent.
     */
    record ReplicaStates(List<io.cyberun.contracts.container.ReplicaReport> replicas) implements AgentMessage {
        public ReplicaStates {
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
        }
    }
}
