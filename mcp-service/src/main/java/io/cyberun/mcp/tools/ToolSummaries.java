package io.cyberun.mcp.tools;

import static io.cyberun.mcp.api.ToolResults.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.StringJoiner;
import java.util.function.Function;

/** What the tools answer in words beside the JSON, for the AI client: a page of items, a workflow's parameters, a task's outcome. */
final class ToolSummaries {
    private ToolSummaries() {
    }

    static String submitted(JsonNode body) {
        return "task " + text(body, "task_id", "?") + " submitted; call stream_task_events with this task_id to follow it";
    }

    static String workflowSummary(JsonNode w) {
        StringBuilder s = new StringBuilder("workflow ").append(text(w, "workflow_slug", "?")).append(" v").append(w.path("version").asInt())
                .append(" \"").append(text(w, "display_name", "")).append("\" (").append(text(w, "workflow_status", "?")).append("), id ")
                .append(text(w, "id", "?")).append(". Parameters:");
        JsonNode parameters = w.path("parameters");
        if (!parameters.isArray() || parameters.isEmpty()) {
            s.append(" none");
        }
        for (JsonNode p : parameters) {
            s.append("\n- ").append(text(p, "key", "?")).append(" (").append(text(p, "type", "?"))
                    .append(p.path("required").asBoolean() ? ", required" : ", optional");
            if (p.hasNonNull("default")) {
                s.append(", default ").append(p.get("default"));
            }
            if (p.hasNonNull("min") || p.hasNonNull("max")) {
                s.append(", range ").append(p.path("min").asText("")).append("..").append(p.path("max").asText(""));
            }
            if (p.path("options").isArray() && !p.path("options").isEmpty()) {
                s.append(", one of ").append(p.get("options"));
            }
            s.append(')');
            if (p.hasNonNull("description")) {
                s.append(": ").append(p.get("description").asText());
            }
        }
        return s.toString();
    }

    static String resultSummary(JsonNode r) {
        String status = text(r, "status", "?");
        if (r.hasNonNull("task_error")) {
            return "task " + status + ": " + r.get("task_error").asText();
        }
        JsonNode urls = r.path("download_urls");
        if (!urls.isObject() || urls.isEmpty()) {
            return "task " + status + " with no output files";
        }
        StringJoiner files = new StringJoiner("\n- ", "task " + status + "; output files (download URLs valid until "
                + text(r, "expires_at", "?") + "):\n- ", "");
        urls.fields().forEachRemaining(e -> files.add(e.getKey() + ": " + e.getValue().asText()));
        return files.toString();
    }

    static String progressText(JsonNode task) {
        return task.hasNonNull("progress") ? " " + Math.round(task.get("progress").asDouble() * 100) + "%" : "";
    }

    static String list(JsonNode body, String field, String noun, Function<JsonNode, String> line) {
        JsonNode items = body.path(field);
        JsonNode meta = body.path("page_meta");
        StringBuilder s = new StringBuilder();
        s.append(items.size()).append(' ').append(noun).append(items.size() == 1 ? "" : "s");
        if (meta.isObject()) {
            long total = meta.path("total_count").asLong(items.size());
            long pages = Math.max(1, (total + Math.max(1, meta.path("per_page").asInt(20)) - 1) / Math.max(1, meta.path("per_page").asInt(20)));
            s.append(" (page ").append(meta.path("current_page").asInt(1)).append(" of ").append(pages).append(", ").append(total)
                    .append(" in all)");
        }
        s.append(items.isEmpty() ? "" : ":");
        for (JsonNode item : items) {
            s.append("\n- ").append(line.apply(item));
        }
        return s.toString();
    }
}
