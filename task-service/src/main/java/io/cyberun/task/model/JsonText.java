package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * Stores JSON whose root may be an array as text. Hibernate Reactive binds {@code jsonb} values as Vert.x
 * {@code JsonObject}s, which cannot hold an array, so array-valued columns (parameter lists, labels, log tails)
 * are {@code text} holding JSON.
 */
@Converter
public class JsonText implements AttributeConverter<JsonNode, String> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String convertToDatabaseColumn(JsonNode value) {
        return value == null ? null : value.toString();
    }

    @Override
    public JsonNode convertToEntityAttribute(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("a JSON text column holds invalid JSON", e);
        }
    }
}
