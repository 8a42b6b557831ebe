package io.cyberun.task.mapping;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.task.domain.WorkflowDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads workflow definitions from request bodies strictly: an unknown field is an error (a misspelt
 * {@code max_retry} must not be silently ignored), and a value of the wrong type names its field. Read-only fields
 * a client may echo back from a GET ({@code id}, {@code version}, timestamps) are accepted and ignored.
 */
public final class WorkflowDefinitions {
    /** The fields of a definition, in their wire names. */
    public static final Set<String> FIELDS = Arrays.stream(WorkflowDefinition.class.getRecordComponents())
            .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase())
            .collect(Collectors.toUnmodifiableSet());
    static final Set<String> READ_ONLY = Set.of("id", "version", "created_at", "updated_at");

    private WorkflowDefinitions() {
    }

    /** A whole definition (import). */
    public static WorkflowDefinition parse(JsonNode body, ObjectMapper json) {
        return read(checked(body), json);
    }

    /** The current definition with the given fields replaced (PUT). */
    public static WorkflowDefinition merge(WorkflowDefinition current, JsonNode patch, ObjectMapper json) {
        ObjectNode merged = json.valueToTree(current);
        merged.remove("snapshot_note");
        merged.setAll(checked(patch));
        return read(merged, json);
    }

    private static ObjectNode checked(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("send the workflow as a JSON object", List.of());
        }
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        List<FieldError> unknown = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (READ_ONLY.contains(name)) {
                copy.remove(name);
            } else if (!FIELDS.contains(name)) {
                unknown.add(new FieldError(name, "unknown field; a workflow has " + String.join(", ", FIELDS.stream().sorted().toList())));
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.invalid("workflow has unknown fields", unknown);
        }
        return copy;
    }

    private static WorkflowDefinition read(ObjectNode node, ObjectMapper json) {
        try {
            return json.treeToValue(node, WorkflowDefinition.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw ApiException.invalid("workflow has a value of the wrong type", List.of(new FieldError(field.isEmpty() ? "body" : field, "wrong type")));
        } catch (Exception e) {
            throw ApiException.invalid("workflow could not be read", List.of());
        }
    }
}
