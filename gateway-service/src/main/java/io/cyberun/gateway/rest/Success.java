package io.cyberun.gateway.rest;

/** The product's answer to an action: {@code {"is_success": true}}. */
public record Success(boolean isSuccess) {
    static final Success TRUE = new Success(true);
}
