package io.cyberun.mcp.tools;

import static io.cyberun.mcp.api.ToolResults.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.mcp.api.ApiReply;
import io.cyberun.mcp.api.GatewayApi;
import io.cyberun.mcp.api.ToolResults;
import io.quarkiverse.mcp.server.Cancellation;
import io.quarkiverse.mcp.server.Progress;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * {@code stream_task_events}: follows the task's SSE stream on the gateway (with the caller's key) and turns each
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
    private static final String END = "\u0000end";

    private final GatewayApi api;
    private final ObjectMapper json;

    public TaskEventStreaming(GatewayApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    ToolResponse stream(String authorization, String taskId, Integer timeoutSeconds, Progress progress, Cancellation cancellation) {
        int timeout = timeoutSeconds == null ? DEFAULT_TIMEOUT : timeoutSeconds;
        if (timeout < 1 || timeout > MAX_TIMEOUT) {
            throw new ToolCallException("timeout_seconds must be between 1 and " + MAX_TIMEOUT + ", not " + timeout);
        }
        String path = "/r/tasks/" + GatewayApi.segment("task_id", taskId);
        ApiReply task = api.get(authorization, path, null);
        if (!task.ok()) {
            return ToolResults.error(task, json);
        }
        Run run = new Run(progress);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        String status = text(task.body(), "status", "?");
        if (TERMINAL.contains(status)) {
            run.notify("task is " + status);
        } else {
            status = follow(authorization, path, run, deadline, cancellation, status);
        }
        if (TERMINAL.contains(status)) {
            ApiReply result = api.get(authorization, path + "/result", null);
            if (!result.ok()) {
                return ToolResults.error(result, json);
            }
            ObjectNode out = json.createObjectNode().put("task_id", taskId.strip()).put("status", status).put("timed_out", false)
                    .put("events_seen", run.events);
            out.set("result", result.body());
            return ToolResults.success(out, json, "task " + status + " (" + run.events + " events). " + CyberunTools.resultSummary(result.body()));
        }
        ApiReply now = api.get(authorization, path, null);
        JsonNode current = now.ok() ? now.body() : task.body();
        ObjectNode out = json.createObjectNode().put("task_id", taskId.strip()).put("status", text(current, "status", status))
                .put("timed_out", true).put("events_seen", run.events);
        out.set("task", current);
        return ToolResults.success(out, json, "task is still " + text(current, "status", status) + CyberunTools.progressText(current)
                + " after " + timeout + " s; call stream_task_events again to keep waiting");
    }

    /** Reads the stream until a terminal event, the deadline or a cancellation; returns the last status seen. */
    private String follow(String authorization, String path, Run run, long deadline, Cancellation cancellation, String status) {
        long lastId = 0;
        while (System.nanoTime() < deadline) {
            Lines lines = new Lines();
            api.http().sendAsync(api.streamRequest(authorization, path + "/events").header("Accept", "text/event-stream")
                            .header("Last-Event-ID", Long.toString(lastId)).GET().build(),
                    info -> {
                        lines.status = info.statusCode();
                        return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
                    })
                    .exceptionally(e -> {
                        lines.queue.add(END);
                        return null;
                    });
            try {
                Sse sse = new Sse();
                while (System.nanoTime() < deadline) {
                    if (cancellation.check().isRequested()) {
                        throw new Cancellation.OperationCancellationException();
                    }
                    String line = lines.queue.poll(250, TimeUnit.MILLISECONDS);
                    if (line == null) {
                        if (run.quietFor().compareTo(HEARTBEAT) >= 0) {
                            run.notify("task is still " + status + "; waiting");
                        }
                        continue;
                    }
                    if (line == END) {
                        break;
                    }
                    if (lines.status != 200) {
                        lines.body.append(line);
                        continue;
                    }
                    Sse.Event event = sse.line(line);
                    if (event == null) {
                        continue;
                    }
                    lastId = Math.max(lastId, event.id());
                    run.events++;
                    JsonNode data = readJson(event.data());
                    status = text(data, "status", status);
                    run.notify(describe(event.name(), data));
                    if (TERMINAL.contains(event.name())) {
                        return event.name();
                    }
                }
                if (lines.status != 200 && lines.status != 0) {
                    ApiReply reply = new ApiReply(lines.status, GatewayApi.parse(lines.body.toString().getBytes(), json));
                    throw new ToolCallException(reply.errorMessage() + " (HTTP " + reply.status() + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancellation.OperationCancellationException();
            } finally {
                lines.cancel();
            }
            if (System.nanoTime() < deadline) {
                LOG.debugf("the event stream of %s ended before the task did; resuming after event %d", path, lastId);
                sleep(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        }
        return status;
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

    /** The stream's lines, queued for the tool's thread; {@link #END} when the stream ends. */
    private static final class Lines implements Flow.Subscriber<String> {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final StringBuilder body = new StringBuilder();
        volatile int status;
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            queue.add(line);
        }

        @Override
        public void onError(Throwable e) {
            queue.add(END);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** A minimal Server-Sent Events reader: id, event and data lines, dispatched at a blank line. */
    static final class Sse {
        record Event(long id, String name, String data) {
        }

        private long id;
        private String name;
        private final StringBuilder data = new StringBuilder();

        Event line(String line) {
            if (line.isEmpty()) {
                Event event = name == null ? null : new Event(id, name, data.toString());
                name = null;
                data.setLength(0);
                return event;
            }
            if (line.startsWith(":")) {
                return null;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
            switch (field) {
                case "id" -> {
                    try {
                        id = Long.parseLong(value.strip());
                    } catch (NumberFormatException e) {
                        // not one of ours; keep the last id
                    }
                }
                case "event" -> name = value;
                case "data" -> data.append(data.isEmpty() ? "" : "\n").append(value);
                default -> {
                }
            }
            return null;
        }
    }
}
