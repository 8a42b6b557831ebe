package io.cyberun.task.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.task.ParameterDef;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Resolves a run request's parameters against a workflow's definitions: fills defaults, and collects every
 * problem (unknown keys, missing required values, wrong types, numbers out of range, options not offered, file
 * keys that are not the team's uploads) so one error lists them all.
 */
public final class ParameterValidator {
    /** Longest string value accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 100_000;

    private ParameterValidator() {
    }

    public record Result(ObjectNode resolved, List<FieldError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** The key prefix under which a team's uploaded inputs live; file parameters must point below it. */
    public static String inputPrefix(UUID teamId) {
        return "teams/" + teamId + "/inputs/";
    }

    public static Result resolve(List<ParameterDef> defs, JsonNode provided, UUID teamId) {
        ObjectNode resolved = JsonNodeFactory.instance.objectNode();
        List<FieldError> errors = new ArrayList<>();
        if (provided != null && !provided.isNull() && !provided.isObject()) {
            errors.add(new FieldError("parameters", "must be an object of parameter values keyed by parameter key"));
            return new Result(resolved, errors);
        }
        Set<String> known = defs.stream().map(ParameterDef::key).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        if (provided != null && provided.isObject()) {
            for (Iterator<String> it = provided.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    errors.add(new FieldError("parameters." + key, "unknown parameter; this workflow takes "
                            + (known.isEmpty() ? "no parameters" : String.join(", ", known))));
                }
            }
        }
        for (ParameterDef def : defs) {
            JsonNode value = provided == null ? null : provided.get(def.key());
            if (value == null || value.isNull()) {
                if (def.defaultValue() != null && !def.defaultValue().isNull()) {
                    resolved.set(def.key(), def.defaultValue());
                } else if (def.isRequired()) {
                    errors.add(new FieldError("parameters." + def.key(), "is required"));
                }
                continue;
            }
            String problem = check(def, value, teamId);
            if (problem != null) {
                errors.add(new FieldError("parameters." + def.key(), problem));
            } else {
                resolved.set(def.key(), value);
            }
        }
        return new Result(resolved, errors);
    }

    /** What is wrong with a value for a parameter, or {@code null} when it fits. */
    public static String check(ParameterDef def, JsonNode value, UUID teamId) {
        return switch (def.type()) {
            case STRING -> !value.isTextual() ? "must be a string"
                    : value.textValue().length() > MAX_STRING_LENGTH ? "must be at most " + MAX_STRING_LENGTH + " characters" : null;
            case NUMBER -> !value.isNumber() ? "must be a number" : range(def, value.doubleValue());
            case INTEGER -> !value.isNumber() || !isWhole(value) ? "must be a whole number" : range(def, value.doubleValue());
            case BOOLEAN -> value.isBoolean() ? null : "must be true or false";
            case SELECT -> {
                List<String> options = def.options() == null ? List.of() : def.options();
                yield value.isTextual() && options.contains(value.textValue()) ? null
                        : "must be one of: " + String.join(", ", options);
            }
            case FILE -> {
                if (!value.isTextual() || value.textValue().isBlank()) {
                    yield "must be a file_key from POST /api/v1/r/files/presign";
                }
                String key = value.textValue();
                yield key.startsWith(inputPrefix(teamId)) && !key.contains("..")
                        ? null : "is not a file uploaded by this team (use a file_key from POST /api/v1/r/files/presign)";
            }
        };
    }

    private static boolean isWhole(JsonNode value) {
        if (value.isIntegralNumber()) {
            return true;
        }
        double d = value.doubleValue();
        return !Double.isInfinite(d) && d == Math.rint(d);
    }

    private static String range(ParameterDef def, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "must be a finite number";
        }
        if (def.min() != null && v < def.min()) {
            return "must be at least " + format(def.min());
        }
        if (def.max() != null && v > def.max()) {
            return "must be at most " + format(def.max());
        }
        return null;
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
