package io.cyberun.common.rest;

import io.cyberun.contracts.error.FieldError;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * Query parameters are taken as strings and parsed here, so a malformed one answers 400 naming the parameter
 * instead of the framework's bare 404. Numbers are checked first by their constraint ({@link WholeNumber}, on the
 * parameter or in {@link Paging}); identifiers and times are checked by parsing them here.
 */
public final class QueryParams {
    private QueryParams() {
    }

    public static Integer integer(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("invalid query parameter " + name, List.of(new FieldError(name, "must be a whole number")));
        }
    }

    /** A whole number that may exceed an int (epoch milliseconds, say). */
    public static Long longValue(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("invalid query parameter " + name, List.of(new FieldError(name, "must be a whole number")));
        }
    }

    public static UUID uuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("invalid query parameter " + name, List.of(new FieldError(name, "must be a UUID")));
        }
    }

    public static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("invalid query parameter " + name,
                    List.of(new FieldError(name, "must be an ISO 8601 UTC time, e.g. 2026-01-31T12:00:00Z")));
        }
    }
}
