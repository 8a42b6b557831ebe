package io.cyberun.contracts.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.task.TaskOutputFile;
import java.util.List;

/**
 * One event of a task's live stream, as SSE sends it ({@code id}, {@code event}, {@code data}) and as the JSON
 * polling endpoint returns it. {@code id} is the task's event sequence number. Event names and payloads follow
 * the product's streaming API: {@code status}, {@code progress}, {@code log}, {@code preview}, {@code completed},
 * {@code failed}, {@code cancelled}.
 */
public record TaskStreamEvent(long id, String event, JsonNode data) {

    public static final String STATUS = "status";
    public static final String PROGRESS = "progress";
    public static final String LOG = "log";
    public static final String PREVIEW = "preview";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    /** Whether this event ends the stream. */
    public boolean isTerminal() {
        return COMPLETED.equals(event) || FAILED.equals(event) || CANCELLED.equals(event);
    }

    public static TaskStreamEvent of(TaskEvent e, ObjectMapper json) {
        ObjectNode data = json.createObjectNode();
        data.put("task_id", e.taskId().toString());
        data.put("status", e.status().wireName());
        String name = switch (e) {
            case TaskEvent.Submitted s -> STATUS;
            case TaskEvent.StatusChanged s -> {
                if (s.agentId() != null) {
                    data.put("agent_id", s.agentId());
                }
                data.put("attempt", s.attempt());
                data.put("retry_count", s.retryCount());
                if (s.reason() != null) {
                    data.put("reason", s.reason());
                }
                if (s.retryAt() != null) {
                    data.put("retry_at", s.retryAt().toString());
                }
                yield STATUS;
            }
            case TaskEvent.Progressed p -> {
                data.setAll((ObjectNode) json.valueToTree(p.progress()));
                yield PROGRESS;
            }
            case TaskEvent.Logged l -> {
                data.set("lines", json.valueToTree(l.lines()));
                yield LOG;
            }
            case TaskEvent.Previewed p -> {
                data.put("preview_id", p.preview().previewId());
                data.put("content_type", p.preview().contentType());
                data.put("size", p.preview().size());
                if (p.preview().nodeId() != null) {
                    data.put("node_id", p.preview().nodeId());
                }
                data.put("url", "/api/v1/r/tasks/" + p.taskId() + "/preview?v=" + p.preview().previewId());
                yield PREVIEW;
            }
            case TaskEvent.Completed c -> {
                data.set("output", output(c.outputs(), json));
                yield COMPLETED;
            }
            case TaskEvent.Failed f -> {
                data.put("error", f.error());
                data.set("last_logs", json.valueToTree(f.lastLogs() == null ? List.of() : f.lastLogs()));
                yield FAILED;
            }
            case TaskEvent.Cancelled c -> {
                if (c.reason() != null) {
                    data.put("reason", c.reason());
                }
                yield CANCELLED;
            }
        };
        data.put("timestamp", e.at().toString());
        return new TaskStreamEvent(e.seq(), name, data);
    }

    /**
     * The {@code task_output} object of a completed task: every file, plus the product's {@code storage_key}
     * (the first file) and {@code image_count}.
     */
    public static ObjectNode output(List<TaskOutputFile> outputs, ObjectMapper json) {
        ObjectNode out = json.createObjectNode();
        List<TaskOutputFile> files = outputs == null ? List.of() : outputs;
        out.set("files", json.valueToTree(files));
        if (!files.isEmpty()) {
            out.put("storage_key", files.get(0).storageKey());
        }
        out.put("image_count", files.stream().filter(f -> f.contentType() != null && f.contentType().startsWith("image/")).count());
        return out;
    }
}
