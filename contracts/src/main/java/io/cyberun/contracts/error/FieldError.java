package io.cyberun.contracts.error;

/**
 * One invalid field of a request.
 *
 * @param field   the field's path in the request, e.g. {@code parameters.steps}
 * @param message what is wrong with it and what is expected
 */
public record FieldError(String field, String message) {
}
