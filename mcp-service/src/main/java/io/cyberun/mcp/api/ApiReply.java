package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;

/** What the API answered: the HTTP status and the body (JSON, or text when it was not JSON). */
public record ApiReply(int status, JsonNode body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The API's {@code error_message}, or a description of an answer without one. */
    public String errorMessage() {
        String message = body.path("error_message").asText("");
        if (!message.isBlank()) {
            return message;
        }
        return body.isTextual() && !body.asText().isBlank() ? body.asText() : "the API answered HTTP " + status;
    }

    public String errorCode() {
        String code = body.path("error_code").asText("");
        return code.isBlank() ? "http_" + status : code;
    }
}
