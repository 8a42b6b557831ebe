package io.cyberun.gateway.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Walks and rewrites the schemas of an OpenAPI document: which are reachable, nullable properties, references. */
final class OpenApiSchemas {
    private OpenApiSchemas() {
    }

    /**
     * The schemas the paths reach, directly or through other schemas, and {@code always}; the others belong to internal
     * endpoints. Jackson's {@code JsonNode} schema is dropped (its references are replaced by one for any value).
     */
    static ObjectNode reachable(ObjectNode merged, ObjectNode schemas, Set<String> always) {
        Set<String> seen = new HashSet<>(always);
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(merged.path("paths")));
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isObject()) {
                JsonNode ref = node.get("$ref");
                if (ref != null && ref.asText().startsWith("#/components/schemas/")) {
                    String name = ref.asText().substring("#/components/schemas/".length());
                    if (seen.add(name) && schemas.has(name) && !name.equals("JsonNode")) {
                        todo.push(schemas.get(name));
                    }
                }
                node.forEach(todo::push);
            } else if (node.isArray()) {
                node.forEach(todo::push);
            }
        }
        ObjectNode kept = schemas.objectNode();
        schemas.properties().forEach(s -> {
            if (seen.contains(s.getKey()) && !s.getKey().equals("JsonNode")) {
                kept.set(s.getKey(), s.getValue());
            }
        });
        return kept;
    }

    /** Each property of an object schema also accepts null. */
    static void allowNulls(JsonNode schema) {
        JsonNode props = schema.path("properties");
        if (!props.isObject()) {
            return;
        }
        ObjectNode properties = (ObjectNode) props;
        properties.properties().forEach(p -> {
            if (!(p.getValue() instanceof ObjectNode prop)) {
                return;
            }
            JsonNode type = prop.get("type");
            if (type != null && type.isTextual()) {
                prop.putArray("type").add(type.asText()).add("null");
            } else if (prop.has("$ref")) {
                ObjectNode either = properties.objectNode();
                either.putArray("anyOf").add(properties.objectNode().put("$ref", prop.get("$ref").asText()))
                        .add(properties.objectNode().put("type", "null"));
                properties.set(p.getKey(), either);
            }
            allowNulls(prop);
        });
    }

    /** Points every {@code $ref} to {@code from} at {@code to} instead. */
    static void replaceRefs(JsonNode node, String from, String to) {
        if (node instanceof ObjectNode o) {
            if (o.has("$ref") && o.get("$ref").asText().equals(from)) {
                o.put("$ref", to);
            }
            o.forEach(child -> replaceRefs(child, from, to));
        } else if (node instanceof ArrayNode a) {
            a.forEach(child -> replaceRefs(child, from, to));
        }
    }
}
