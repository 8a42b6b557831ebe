package io.cyberun.agent.runtime.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** What ComfyUI's answers mean, in words a user can act on: a graph it cannot take, a refused prompt, a failed node. */
final class ComfyUiMessages {
    private ComfyUiMessages() {
    }

    /** Null when the definition is a graph in API format: an object of nodes, each with a class_type. */
    static String graphProblem(JsonNode definition) {
        if (definition == null || !definition.isObject() || definition.isEmpty()) {
            return "the workflow has no ComfyUI graph: workflow_json must be the graph in API format (ComfyUI: Export (API))";
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = definition.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            if (!node.getValue().isObject() || !node.getValue().path("class_type").isTextual()) {
                return "workflow_json is not in ComfyUI's API format: node " + node.getKey()
                        + " has no class_type (export the graph with Export (API), not Save)";
            }
        }
        return null;
    }

    static String refusal(JsonNode body) {
        StringBuilder out = new StringBuilder(body.path("error").path("message").asText(body.path("error").asText("invalid prompt")));
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("node_errors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            for (JsonNode e : node.getValue().path("errors")) {
                out.append("; node ").append(node.getKey()).append(" (").append(node.getValue().path("class_type").asText("?")).append("): ")
                        .append(e.path("message").asText()).append(e.path("details").asText("").isEmpty() ? "" : ": " + e.path("details").asText());
            }
        }
        return out.toString();
    }

    static String error(JsonNode data) {
        return "node " + data.path("node_id").asText("?") + " (" + data.path("node_type").asText("?") + ") failed: "
                + data.path("exception_type").asText("error") + ": " + data.path("exception_message").asText("").strip();
    }

    static String historyError(JsonNode status) {
        for (JsonNode message : status.path("messages")) {
            if ("execution_error".equals(message.path(0).asText())) {
                return error(message.path(1));
            }
        }
        return "ComfyUI reported the prompt as failed";
    }

    static String message(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
