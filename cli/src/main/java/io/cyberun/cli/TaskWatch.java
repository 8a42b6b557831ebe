package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Follows a task's live stream ({@code GET /r/tasks/{id}/events}, server-sent events) to its end: status changes and
 * log lines as they come, progress as a bar, the outputs at the end. A dropped stream is resumed with
 * {@code Last-Event-ID}, so nothing is shown twice or missed. With {@code --json} each event is one JSON line.
 */
final class TaskWatch {
    /** Reconnections in a row without a new event before giving up. */
    static final int MAX_RECONNECTS = 8;

    private final Api api;
    private final String taskId;
    private final Instant deadline;
    private Out.Progress bar;
    private Long lastId;
    private String lastStatus;

    private TaskWatch(Api api, String taskId, Duration timeout) {
        this.api = api;
        this.taskId = taskId;
        this.deadline = timeout == null ? null : Instant.now().plus(timeout);
    }

    /** Follows the task to its end; returns the exit code: 0 completed, 1 failed or cancelled. */
    static int follow(Api api, String taskId, Duration timeout) {
        return new TaskWatch(api, taskId, timeout).run();
    }

    private int run() {
        int quietReconnects = 0;
        while (true) {
            Long before = lastId;
            Integer end;
            try {
                end = readStream();
            } catch (IOException e) {
                end = null; // the connection dropped: resumed below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
            }
            if (end != null) {
                return end;
            }
            quietReconnects = java.util.Objects.equals(before, lastId) ? quietReconnects + 1 : 0;
            if (quietReconnects > MAX_RECONNECTS) {
                throw new CliException(CliException.UNAVAILABLE, "the live stream of task " + taskId + " keeps dropping",
                        "see where it stands with cyberun tasks get " + taskId + ", or watch again later");
            }
            pause(Math.min(8_000, 500L << Math.min(quietReconnects, 4)));
        }
    }

    /** Reads one connection of the stream; the exit code once the task ended, or null if the stream stopped first. */
    private Integer readStream() throws IOException, InterruptedException {
        Map<String, String> headers = new HashMap<>();
        if (lastId != null) {
            headers.put("Last-Event-ID", Long.toString(lastId));
        }
        HttpResponse<InputStream> response = api.stream("/api/v1/r/tasks/" + Api.segment(taskId) + "/events", headers);
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            CliException refused = Api.refusal("GET", "/api/v1/r/tasks/" + taskId + "/events", response.statusCode(), body);
            if (refused.exitCode() == CliException.UNAVAILABLE && response.statusCode() != 429) {
                return null; // a restarting service: resumed
            }
            throw refused;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                checkDeadline();
                if (line.isEmpty()) {
                    if (event != null || data.length() > 0) {
                        Integer end = handle(id, event == null ? "message" : event, data.toString());
                        if (end != null) {
                            return end;
                        }
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    continue; // a keep-alive comment
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
                }
            }
        }
        return null;
    }

    private Integer handle(String id, String event, String data) throws IOException {
        if (id != null && !id.isBlank()) {
            try {
                lastId = Long.parseLong(id);
            } catch (NumberFormatException ignored) {
                // an id that is not a sequence number is not resumable; keep the last one
            }
        }
        JsonNode payload = data.isBlank() ? Config.JSON.createObjectNode() : Config.JSON.readTree(data);
        if (Out.json) {
            Out.line(Config.JSON.createObjectNode().put("id", lastId == null ? 0 : lastId).put("event", event).set("data", payload).toString());
        }
        switch (event) {
            case "status" -> status(payload);
            case "progress" -> progress(payload);
            case "log" -> {
                if (!Out.json) {
                    for (JsonNode l : payload.path("lines")) {
                        Out.say("  " + (l.path("stream").asText("").equals("stderr") ? "! " : "| ") + l.path("text").asText());
                    }
                }
            }
            case "error" -> Out.say("the stream reported a problem: " + Out.text(payload, "error_message") + " (it goes on)");
            case "completed" -> {
                finishBar(1.0);
                if (!Out.json) {
                    Out.line("task " + taskId + " completed");
                    for (JsonNode f : payload.path("output").path("files")) {
                        Out.line("  " + f.path("name").asText() + "  " + Out.bytes(f.path("size").asLong()));
                    }
                    Out.say("download the outputs with: cyberun download " + taskId);
                }
                return 0;
            }
            case "failed" -> {
                finishBar(-1);
                if (!Out.json) {
                    Out.line("task " + taskId + " failed: " + Out.text(payload, "error"));
                    for (JsonNode l : payload.path("last_logs")) {
                        Out.line("  | " + (l.isTextual() ? l.asText() : l.path("text").asText()));
                    }
                    Out.say("run it again with: cyberun tasks rerun " + taskId);
                }
                return CliException.TASK_FAILED;
            }
            case "cancelled" -> {
                finishBar(-1);
                if (!Out.json) {
                    Out.line("task " + taskId + " was cancelled" + (payload.hasNonNull("reason") ? ": " + payload.path("reason").asText() : ""));
                }
                return CliException.TASK_FAILED;
            }
            default -> {
                // an event this version does not know: shown with --json, passed over otherwise
            }
        }
        return null;
    }

    private void status(JsonNode payload) {
        String status = payload.path("status").asText();
        if (Out.json || status.equals(lastStatus)) {
            return;
        }
        lastStatus = status;
        StringBuilder line = new StringBuilder("task ").append(taskId).append(": ").append(status);
        if (payload.hasNonNull("agent_id")) {
            line.append(" on agent ").append(payload.path("agent_id").asText());
        }
        if (payload.path("attempt").asInt(1) > 1) {
            line.append(" (attempt ").append(payload.path("attempt").asInt()).append(')');
        }
        if (payload.hasNonNull("reason")) {
            line.append(": ").append(payload.path("reason").asText());
        }
        Out.say(line.toString());
    }

    private void progress(JsonNode payload) {
        if (Out.json) {
            return;
        }
        if (bar == null) {
            bar = new Out.Progress("running");
        }
        StringBuilder detail = new StringBuilder();
        if (payload.hasNonNull("step_current") && payload.hasNonNull("step_total")) {
            detail.append("step ").append(payload.path("step_current").asInt()).append('/').append(payload.path("step_total").asInt());
        }
        if (payload.hasNonNull("message")) {
            detail.append(detail.length() > 0 ? " " : "").append(payload.path("message").asText());
        }
        bar.update(payload.path("progress").asDouble(), detail.toString());
    }

    private void finishBar(double fraction) {
        if (bar != null) {
            if (fraction >= 0) {
                bar.update(fraction, "");
            }
            bar.done();
        }
    }

    private void checkDeadline() {
        if (deadline != null && Instant.now().isAfter(deadline)) {
            throw new CliException(CliException.TIMED_OUT, "task " + taskId + " had not ended within the --timeout" + (lastStatus == null ? ""
                    : " (last status " + lastStatus.toLowerCase(Locale.ROOT) + ")"), "it goes on: watch it with cyberun tasks watch " + taskId);
        }
    }

    private void pause(long millis) {
        checkDeadline();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
        }
    }
}
