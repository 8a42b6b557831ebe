package io.cyberun.common.rest;

import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import java.util.List;

/**
 * A request the service refuses, with the error body the client gets. Services throw these (or return failed
 * Unis with them); {@link ApiExceptionMappers} turns them into responses at one boundary.
 */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final List<FieldError> details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    public ApiException(ErrorCode code, String message, List<FieldError> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = List.copyOf(details);
    }

    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ApiException invalid(String message, List<FieldError> details) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, message, details);
    }

    /** Another service's refusal, passed on to the caller as it was (its status, code, message and field details). */
    public static ApiException passedOn(int status, ErrorBody body) {
        ErrorCode code = java.util.Arrays.stream(ErrorCode.values())
                .filter(c -> body != null && c.code().equals(body.errorCode()) && c.httpStatus() == status).findFirst()
                .orElse(status == 404 ? ErrorCode.NOT_FOUND : status == 403 ? ErrorCode.FORBIDDEN : ErrorCode.INVALID_REQUEST);
        return new ApiException(code, body == null || body.errorMessage() == null ? "refused (HTTP " + status + ")" : body.errorMessage(),
                body == null ? List.of() : body.details());
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message);
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> details() {
        return details;
    }

    public ErrorBody body() {
        return new ErrorBody(getMessage(), code.code(), details);
    }
}
