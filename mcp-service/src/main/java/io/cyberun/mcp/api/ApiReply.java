package io.cyberun.mcp.api;

import io.cyberun.contracts.error.ErrorBody;

/**
 * What the API answered: the HTTP status and, on success, the body as the API's record ({@code T}); otherwise the
 * API's error body ({@link ErrorBody}; an answer that was not one carries its text as the message).
 */
public record ApiReply<T>(int status, T body, ErrorBody error) {

    public static <T> ApiReply<T> success(int status, T body) {
        return new ApiReply<>(status, body, null);
    }

    public static <T> ApiReply<T> failure(int status, ErrorBody error) {
        return new ApiReply<>(status, null, error);
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The API's {@code error_message}, or a description of an answer without one. */
    public String errorMessage() {
        String message = error == null ? null : error.errorMessage();
        return message == null || message.isBlank() ? "the API answered HTTP " + status : message;
    }

    public String errorCode() {
        String code = error == null ? null : error.errorCode();
        return code == null || code.isBlank() ? "http_" + status : code;
    }
}
