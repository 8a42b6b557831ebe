package io.cyberun.contracts.error;

/** Machine-readable error codes of the public API, with the HTTP status each one answers with. */
public enum ErrorCode {
    INVALID_REQUEST(400),
    VALIDATION_FAILED(400),
    MALFORMED_JSON(400),
    MISSING_TEAM(400),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    WORKFLOW_DISABLED(409),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    RATE_LIMITED(429),
    UPSTREAM_UNAVAILABLE(503),
    /** A store the request needs (the database) is unreachable for now; the answer carries Retry-After. */
    STORE_UNAVAILABLE(503),
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The wire form, e.g. {@code not_found}. */
    public String code() {
        return name().toLowerCase();
    }
}
