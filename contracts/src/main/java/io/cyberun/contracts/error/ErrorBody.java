package io.cyberun.contracts.error;

import java.util.List;

/**
 * The body of every error response of the public API: {@code error_message} as the product documents it,
 * plus a machine-readable {@code error_code} and, for invalid input, every bad field in {@code details}.
 */
public record ErrorBody(String errorMessage, String errorCode, List<FieldError> details) {
    public ErrorBody {
        details = details == null ? List.of() : List.copyOf(details);
    }

    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(message, code.code(), List.of());
    }
}
