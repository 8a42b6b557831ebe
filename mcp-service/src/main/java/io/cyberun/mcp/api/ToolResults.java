package io.cyberun.mcp.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.error.FieldError;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tool results as an AI client reads them best: the API's JSON as structured content, plus a short readable
 * summary as text; API errors as tool errors ({@code isError}) that carry the API's {@code error_message}.
 */
public final class ToolResults {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private ToolResults() {
    }

    /** The reply as a result: on success {@code summary} of its body (the API's JSON), otherwise a tool error. */
    public static <T> ToolResponse of(ApiReply<T> reply, ObjectMapper json, Function<T, String> summary) {
        if (!reply.ok()) {
            return error(reply, json);
        }
        return success(reply.body(), json, summary.apply(reply.body()));
    }

    /** {@code body} (a JSON tree or one of the API's records) as structured content, with {@code summary} as text. */
    public static ToolResponse success(Object body, ObjectMapper json, String summary) {
        JsonNode tree = body instanceof JsonNode node ? node : ApiJson.tree(body);
        ObjectNode structured;
        if (tree instanceof ObjectNode object) {
            structured = object;
        } else {
            structured = json.createObjectNode();
            structured.set("result", tree);
        }
        return new ToolResponse(false, List.of(new TextContent(summary)), json.convertValue(structured, MAP), null);
    }

    /** An API error: its message first (the wording is the platform's), then what to do about it. */
    public static ToolResponse error(ApiReply<?> reply, ObjectMapper json) {
        ObjectNode structured = json.createObjectNode();
        structured.put("http_status", reply.status());
        structured.put("error_code", reply.errorCode());
        structured.put("error_message", reply.errorMessage());
        List<FieldError> fields = reply.error() == null ? List.of() : reply.error().details();
        if (!fields.isEmpty()) {
            structured.set("details", ApiJson.tree(fields));
        }
        StringBuilder text = new StringBuilder(reply.errorMessage()).append(" (HTTP ").append(reply.status()).append(' ')
                .append(reply.errorCode()).append(')');
        for (FieldError field : fields) {
            text.append("; ").append(field.field()).append(": ").append(field.message());
        }
        String hint = hint(reply.status());
        if (hint != null) {
            text.append(". ").append(hint);
        }
        return new ToolResponse(true, List.of(new TextContent(text.toString())), json.convertValue(structured, MAP), null);
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> "The key is missing, revoked or expired: do not retry; ask the user for a fresh sk- integration key";
            case 403 -> "This key's role does not allow it (a viewer can list and read but not run or cancel)";
            case 404 -> "Nothing with that id is visible to this key's team; list first to find a valid id";
            case 429 -> "Too many requests: wait a few seconds before the next call";
            default -> status >= 500 ? "The platform had a problem; try again shortly" : null;
        };
    }

    /** A short text value of a field, or {@code fallback}. */
    public static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() || value.asText().isBlank() ? fallback : value.asText();
    }
}
