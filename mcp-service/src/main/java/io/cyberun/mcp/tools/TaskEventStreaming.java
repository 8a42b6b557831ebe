package io.cyberun.mcp.tools;

import static io.cyberun.mcp.api.ToolResults.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.api.TaskResultView;
import io.cyberun.contracts.api.TaskView;
import io.cyberun.mcp.api.ApiJson;
import io.cyberun.mcp.api.ApiReply;
import io.cyberun.mcp.api.GatewayApi;
import io.cyberun.mcp.api.TaskEventsClient;
import io.cyberun.mcp.api.ToolResults;
import io.quarkiverse.mcp.server.Cancellation;
import io.quarkiverse.mcp.server.Progress;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkiverse.mcp.server.ToolResponse;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.SseEvent;

/**
 * {@code stream_task_events}: follows the task's SSE stream on the gateway (with the caller's key, through the typed
 * {@link TaskEventsClient}) and turns each
 * event into an MCP progress notification, with a heartbeat while nothing happens so clients that reset their
 * timeout on progress keep waiting. Returns the terminal state and result, or the current state when the caller's
 * timeout passes; stops as soon as the client cancels the request. A dropped stream is resumed with
 * {@code Last-Event-ID}, so no event is reported twice or skipped.
 */
@ApplicationScoped
public class TaskEventStreaming {
    private static final Logger LOG = Logger.getLogger(TaskEventStreaming.class);
    static final int DEFAULT_TIMEOUT = 50;
    static final int MAX_TIMEOUT = 1800;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");
    private static final Object END = new Object();

    private final GatewayApi api;
    private final TaskEventsClient events;
    private final ObjectMapper json;

    public TaskEventStreaming(GatewayApi api, @RestClient TaskEventsClient events, ObjectMapper json) {
        this.api = api;
        this.events = events;
        this.json = json;
    }

    ToolResponse stream(String authorization, String taskId, Integer timeoutSeconds, Progress progress, Cancellation cancellation) {
        int timeout = timeoutSeconds == null ? DEFAULT_TIMEOUT : timeoutSeconds;
        if (timeout < 1 || timeout > MAX_TIMEOUT) {
            throw new ToolCallException("timeout_seconds must be between 1 and " + MAX_TIMEOUT + ", not " + timeout);
        }
        String id = GatewayApi.segment("task_id", taskId);
        ApiReply<TaskView> task = api.call(c -> c.task(authorization, id));
        if (!task.ok()) {
            return ToolResults.error(task, json);
        }
        Run run = new Run(progress);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        String status = task.body().status();
        if (TERMINAL.contains(status)) {
            run.notify("task is " + status);
        } else {
            status = follow(authorization, id, run, deadline, cancellation, status);
        }
        if (TERMINAL.contains(status)) {
            ApiReply<TaskResultView> result = api.call(c -> c.taskResult(authorization, id));
            if (!result.ok()) {
                return ToolResults.error(result, json);
            }
            ObjectNode out = json.createObjectNode().put("task_id", taskId.strip()).put("status", status).put("timed_out", false)
                    .put("events_seen", run.events);
            out.set("result", ApiJson.tree(result.body()));
            return ToolResults.success(out, json, "task " + status + " (" + run.events + " events). " + ToolSummaries.resultSummary(result.body()));
        }
        ApiReply<TaskView> now = api.call(c -> c.task(authorization, id));
        TaskView current = now.ok() ? now.body() : task.body();
        String currentStatus = current.status() == null ? status : current.status();
        ObjectNode out = json.createObjectNode().put("task_id", taskId.strip()).put("status", currentStatus)
                .put("timed_out", true).put("events_seen", run.events);
        out.set("task", ApiJson.tree(current));
        return ToolResults.success(out, json, "task is still " + currentStatus + ToolSummaries.progressText(current)
                + " after " + timeout + " s; call stream_task_events again to keep waiting");
    }

    /** Reads the stream until a terminal event, the deadline or a cancellation; returns the last status seen. */
    private String follow(String authorization, String taskId, Run run, long deadline, Cancellation cancellation, String status) {
        long lastId = 0;
        while (System.nanoTime() < deadline) {
            BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            Cancellable subscription = events.events(authorization, taskId, Long.toString(lastId)).subscribe()
                    .with(queue::add, e -> queue.add(new Failure(e)), () -> queue.add(END));
            try {
                while (System.nanoTime() < deadline) {
                    if (cancellation.check().isRequested()) {
                        throw new Cancellation.OperationCancellationException();
                    }
                    Object item = queue.poll(250, TimeUnit.MILLISECONDS);
                    if (item == null) {
                        if (run.quietFor().compareTo(HEARTBEAT) >= 0) {
                            run.notify("task is still " + status + "; waiting");
                        }
                        continue;
                    }
                    if (item == END) {
                        break;
                    }
                    if (item instanceof Failure failure) {
                        refusal(failure.error());
                        break;
                    }
                    @SuppressWarnings("unchecked")
                    SseEvent<String> event = (SseEvent<String>) item;
                    if (event.name() == null) {
                        continue; // a keep-alive comment
                    }
                    lastId = Math.max(lastId, id(event.id()));
                    run.events++;
                    JsonNode data = readJson(event.data());
                    status = text(data, "status", status);
                    run.notify(describe(event.name(), data));
                    if (TERMINAL.contains(event.name())) {
                        return event.name();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancellation.OperationCancellationException();
            } finally {
                subscription.cancel();
            }
            if (System.nanoTime() < deadline) {
                LOG.debugf("the event stream of task %s ended before the task did; resuming after event %d", taskId, lastId);
                sleep(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        }
        return status;
    }

    /** The gateway refused the stream (4xx): the tool fails with its message. Anything else ends this stream, to resume. */
    private void refusal(Throwable error) {
        if (error instanceof WebApplicationException refused && refused.getResponse().getStatus() < 500) {
            ApiReply<?> reply = api.refusal(refused);
            throw new ToolCallException(reply.errorMessage() + " (HTTP " + reply.status() + ")");
        }
        LOG.debugf("the event stream failed: %s", error.toString());
    }

    private static long id(String id) {
        try {
            return id == null ? 0 : Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            return 0; // not one of ours
        }
    }

    /** The stream failed. */
    private record Failure(Throwable error) {
    }

    /** The progress message of one task event: what an AI client shows its user. */
    static String describe(String name, JsonNode data) {
        return switch (name) {
            case "status" -> "status: " + text(data, "status", "?") + (data.hasNonNull("agent_id") ? " on agent " + data.get("agent_id").asText() : "")
                    + (data.hasNonNull("reason") ? " (" + data.get("reason").asText() + ")" : "");
            case "progress" -> {
                StringBuilder s = new StringBuilder("running: ").append(Math.round(data.path("progress").asDouble() * 100)).append('%');
                if (data.hasNonNull("step_current") && data.hasNonNull("step_total")) {
                    s.append(", step ").append(data.get("step_current").asInt()).append('/').append(data.get("step_total").asInt());
                }
                if (data.hasNonNull("current_node")) {
                    s.append(", node ").append(data.get("current_node").asText());
                }
                if (data.hasNonNull("stage")) {
                    s.append(", ").append(data.get("stage").asText());
                }
                if (data.hasNonNull("message")) {
                    s.append(": ").append(data.get("message").asText());
                }
                yield s.toString();
            }
            case "preview" -> "preview image " + text(data, "preview_id", "?") + " (" + text(data, "content_type", "image") + ")"
                    + (data.hasNonNull("node_id") ? " from node " + data.get("node_id").asText() : "");
            case "log" -> {
                JsonNode lines = data.path("lines");
                String last = lines.isArray() && !lines.isEmpty() ? lines.get(lines.size() - 1).path("text").asText() : "";
                yield "log: " + (lines.size() > 1 ? "(" + lines.size() + " lines) " : "") + last;
            }
            case "completed" -> "completed";
            case "failed" -> "failed: " + text(data, "error", "no reason given");
            case "cancelled" -> "cancelled" + (data.hasNonNull("reason") ? ": " + data.get("reason").asText() : "");
            default -> name + ": " + text(data, "error_message", data.toString());
        };
    }

    private JsonNode readJson(String data) {
        try {
            return json.readTree(data);
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cancellation.OperationCancellationException();
        }
    }

    /** The notifications of one call: a counter as the always-increasing progress, and when the last was sent. */
    private static final class Run {
        private final Progress progress;
        int events;
        private long sent;
        private long lastAt = System.nanoTime();

        Run(Progress progress) {
            this.progress = progress;
        }

        void notify(String message) {
            lastAt = System.nanoTime();
            if (progress != null && progress.token().isPresent()) {
                progress.notificationBuilder().setProgress(++sent).setMessage(message).build().sendAndForget();
            }
        }

        Duration quietFor() {
            return Duration.ofNanos(System.nanoTime() - lastAt);
        }
    }
}
