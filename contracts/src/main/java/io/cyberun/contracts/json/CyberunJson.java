package io.cyberun.contracts.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON conventions of every Cyberun wire format: snake_case names, ISO 8601 timestamps, unknown fields
 * ignored (a newer peer may add fields), absent optional fields omitted.
 */
public final class CyberunJson {
    private static final ObjectMapper SHARED = configure(new ObjectMapper());

    private CyberunJson() {
    }

    /** Applies the conventions to a mapper (used for Quarkus' own mapper too). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_ABSENT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    }

    /** A shared, already configured mapper for code that has no injected one (the agent, tests). */
    public static ObjectMapper mapper() {
        return SHARED;
    }
}
