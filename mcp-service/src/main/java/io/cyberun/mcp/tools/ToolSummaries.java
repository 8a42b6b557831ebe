package io.cyberun.mcp.tools;

import static io.cyberun.mcp.api.ToolResults.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.api.TaskResultView;
import io.cyberun.contracts.api.TaskView;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.mcp.api.ApiJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/** What the tools answer in words beside the JSON, for the AI client: a page of items, a workflow's parameters, a task's outcome. */
final class ToolSummaries {
    private ToolSummaries() {
    }

    static String submitted(JsonNode body) {
        return "task " + text(body, "task_id", "?") + " submitted; call stream_task_events with this task_id to follow it";
    }

    static String workflowLine(WorkflowView w) {
        return or(w.workflowSlug(), "?") + " v" + w.version() + " \"" + or(w.displayName(), "") + "\" (" + or(w.workflowStatus(), "?")
                + ") id " + w.id();
    }

    static String workflowSummary(WorkflowView w) {
        StringBuilder s = new StringBuilder("workflow ").append(workflowLine(w)).append(". Parameters:");
        List<ParameterDef> parameters = w.parameters() == null ? List.of() : w.parameters();
        if (parameters.isEmpty()) {
            s.append(" none");
        }
        for (ParameterDef p : parameters) {
            s.append("\n- ").append(or(p.key(), "?")).append(" (").append(p.type() == null ? "?" : p.type().wireName())
                    .append(p.isRequired() ? ", required" : ", optional");
            if (p.defaultValue() != null && !p.defaultValue().isNull()) {
                s.append(", default ").append(p.defaultValue());
            }
            if (p.min() != null || p.max() != null) {
                s.append(", range ").append(number(p.min())).append("..").append(number(p.max()));
            }
            if (p.options() != null && !p.options().isEmpty()) {
                s.append(", one of ").append(p.options());
            }
            s.append(')');
            if (p.description() != null) {
                s.append(": ").append(p.description());
            }
        }
        return s.toString();
    }

    static String taskLine(TaskView t) {
        return t.id() + " " + or(t.workflowSlug(), "?") + " " + or(t.status(), "?") + progressText(t);
    }

    static String taskSummary(TaskView t) {
        return "task " + t.id() + " (" + or(t.workflowSlug(), "?") + "): " + or(t.status(), "?") + progressText(t)
                + (t.taskError() != null ? "; error: " + t.taskError() : "");
    }

    static String resultSummary(TaskResultView r) {
        String status = or(r.status(), "?");
        if (r.taskError() != null) {
            return "task " + status + ": " + r.taskError();
        }
        Map<String, String> urls = r.downloadUrls();
        if (urls == null || urls.isEmpty()) {
            return "task " + status + " with no output files";
        }
        StringJoiner files = new StringJoiner("\n- ", "task " + status + "; output files (download URLs valid until "
                + (r.expiresAt() == null ? "?" : r.expiresAt()) + "):\n- ", "");
        urls.forEach((name, url) -> files.add(name + ": " + url));
        return files.toString();
    }

    static String progressText(TaskView task) {
        return task.progress() != null ? " " + Math.round(task.progress() * 100) + "%" : "";
    }

    /** A page of items, one line each, with where the page stands ({@code meta} may be absent). */
    static <T> String list(List<T> items, PageMeta meta, String noun, Function<T, String> line) {
        List<T> all = items == null ? List.of() : items;
        StringBuilder s = new StringBuilder();
        s.append(all.size()).append(' ').append(noun).append(all.size() == 1 ? "" : "s");
        if (meta != null) {
            int perPage = Math.max(1, meta.perPage() == 0 ? 20 : meta.perPage());
            long pages = Math.max(1, (meta.totalCount() + perPage - 1) / perPage);
            s.append(" (page ").append(Math.max(1, meta.currentPage())).append(" of ").append(pages).append(", ")
                    .append(meta.totalCount()).append(" in all)");
        }
        s.append(all.isEmpty() ? "" : ":");
        for (T item : all) {
            s.append("\n- ").append(line.apply(item));
        }
        return s.toString();
    }

    /** The same for an answer without a shared record: its {@code field} array and {@code page_meta}. */
    static String list(JsonNode body, String field, String noun, Function<JsonNode, String> line) {
        List<JsonNode> items = new ArrayList<>();
        body.path(field).forEach(items::add);
        JsonNode meta = body.path("page_meta");
        return list(items, meta.isObject() ? ApiJson.read(meta, PageMeta.class) : null, noun, line);
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String number(Double value) {
        return value == null ? "" : value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString(value.longValue()) : value.toString();
    }
}
