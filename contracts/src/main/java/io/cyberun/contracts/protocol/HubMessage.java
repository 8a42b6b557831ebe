package io.cyberun.contracts.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.cyberun.contracts.task.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A message from the hub to an agent: one JSON text frame with a {@code type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HubMessage.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = HubMessage.Dispatch.class, name = "dispatch"),
        @JsonSubTypes.Type(value = HubMessage.Cancel.class, name = "cancel"),
        @JsonSubTypes.Type(value = HubMessage.UploadUrls.class, name = "upload_urls"),
        @JsonSubTypes.Type(value = HubMessage.Refusal.class, name = "refusal"),
        @JsonSubTypes.Type(value = HubMessage.ModelSync.class, name = "model_sync"),
        @JsonSubTypes.Type(value = HubMessage.TunnelOpen.class, name = "tunnel_open"),
        @JsonSubTypes.Type(value = HubMessage.TunnelClose.class, name = "tunnel_close"),
        @JsonSubTypes.Type(value = HubMessage.StreamOpen.class, name = "stream_open"),
        @JsonSubTypes.Type(value = HubMessage.ReplicaStart.class, name = "replica_start"),
        @JsonSubTypes.Type(value = HubMessage.ReplicaStop.class, name = "replica_stop")
})
public sealed interface HubMessage {

    /** The answer to hello: the session and the timings the agent must keep. */
    record Welcome(int protocolVersion, String hubId, String sessionId, int heartbeatIntervalSeconds,
                   int silenceLimitSeconds) implements HubMessage {
    }

    /**
     * Run this task; acknowledge with task_accepted (or task_rejected) naming the same attempt. {@code inputs} are
     * the files of its {@code file} parameters, with download URLs valid for a few minutes: fetch them first.
     */
    record Dispatch(UUID taskId, int attempt, TaskSpec spec, List<InputFile> inputs) implements HubMessage {
        public Dispatch {
            inputs = inputs == null ? List.of() : List.copyOf(inputs);
        }
    }

    /** The file given for a {@code file} parameter: where to download it, and the name it was uploaded with. */
    record InputFile(String parameterKey, String storageKey, String fileName, String url) {
    }

    /** Stop this task; answer with task_cancelled. */
    record Cancel(UUID taskId, int attempt, String reason) implements HubMessage {
    }

    /** Presigned PUT URLs for an upload request; {@code error} is set instead when it was refused. */
    record UploadUrls(String requestId, UUID taskId, List<UploadTarget> targets, String error) implements HubMessage {
    }

    /**
     * The team's active models: the agent downloads those it lacks (reporting {@code syncing} with percent), checks
     * each file's sha256, and reports the names it has in a status update when done.
     */
    record ModelSync(List<io.cyberun.contracts.files.ModelManifest.Entry> models) implements HubMessage {
        public ModelSync {
            models = models == null ? List.of() : List.copyOf(models);
        }
    }

    /** The hub refused a message (and, for a bad hello, closes the connection). */
    record Refusal(String code, String message) implements HubMessage {
    }

    /** Where to PUT one output file: send every header in {@code headers} verbatim. */
    record UploadTarget(String name, String storageKey, String url, Map<String, String> headers, Instant expiresAt) {
    }

    /**
     * Open an interactive tunnel session to a port of this machine; answer with tunnel_state (open, or refused with a
     * reason, e.g. a port the agent does not allow). While any session is open the agent reports {@code tunnel} and
     * takes no tasks.
     */
    record TunnelOpen(String sessionId, int targetPort, TunnelProtocol.Kind tunnelProtocol) implements HubMessage {
    }

    /** Close a tunnel session ({@code sessionId} null: every session); answer with tunnel_state (closed). */
    record TunnelClose(String sessionId) implements HubMessage {
    }

    /**
     * Dial {@link TunnelProtocol#STREAM_PATH}{@code streamId} within {@link TunnelProtocol#DIAL_SECONDS} s to carry one
     * stream of the session (see {@link TunnelProtocol} for what each kind carries). {@code reusable} ({@code http}
     * streams): after a complete exchange the agent answers {@link TunnelProtocol#END} instead of closing, and the hub
     * may send the next request on the same stream.
     */
    record StreamOpen(String streamId, String sessionId, TunnelProtocol.StreamKind kind, boolean reusable) implements HubMessage {
        public StreamOpen(String streamId, String sessionId, TunnelProtocol.StreamKind kind) {
            this(streamId, sessionId, kind, false);
        }
    }

    /**
     * Run a replica of a container service with this agent's container runtime, probe its health path, and report
     * its states (replica_states). Starting a replica the agent already runs changes nothing.
     */
    record ReplicaStart(io.cyberun.contracts.container.ReplicaSpec replica) implements HubMessage {
    }

    /** Stop a replica; reported {@code stopped} (also when the agent does not know it). */
    record ReplicaStop(java.util.UUID serviceId, String replicaId) implements HubMessage {
    }
}
