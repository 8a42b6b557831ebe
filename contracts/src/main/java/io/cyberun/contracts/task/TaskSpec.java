package io.cyberun.contracts.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything needed to schedule and run one task, fixed when it is submitted: the workflow version it runs
 * and its resolved parameters. Later edits of the workflow do not change it.
 *
 * @param parameters    resolved parameter values, keyed by {@link ParameterDef#key()}
 * @param taskTimeout   seconds the agent may run it, counted from its acknowledgement; 0 = no limit
 * @param priority      higher runs first within a team; then submission order
 */
public record TaskSpec(
        UUID workflowId,
        String workflowSlug,
        int workflowVersion,
        String toolType,
        JsonNode workflowJson,
        JsonNode parameters,
        List<ParameterDef> parameterDefs,
        List<String> requiredLabels,
        Integer minVramGb,
        List<String> requiredModels,
        int taskTimeout,
        int maxRetries,
        int priority,
        String preferredGpu) {

    /** A spec without a GPU preference. */
    public TaskSpec(UUID workflowId, String workflowSlug, int workflowVersion, String toolType, JsonNode workflowJson, JsonNode parameters,
                    List<ParameterDef> parameterDefs, List<String> requiredLabels, Integer minVramGb, List<String> requiredModels,
                    int taskTimeout, int maxRetries, int priority) {
        this(workflowId, workflowSlug, workflowVersion, toolType, workflowJson, parameters, parameterDefs, requiredLabels, minVramGb,
                requiredModels, taskTimeout, maxRetries, priority, null);
    }

    public TaskSpec {
        parameterDefs = parameterDefs == null ? List.of() : List.copyOf(parameterDefs);
        requiredLabels = requiredLabels == null ? List.of() : List.copyOf(requiredLabels);
        requiredModels = requiredModels == null ? List.of() : List.copyOf(requiredModels);
    }

    /** The storage keys given for {@code file} parameters, by parameter key, in definition order. */
    @JsonIgnore
    public Map<String, String> fileInputs() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (ParameterDef def : parameterDefs) {
            JsonNode value = parameters == null ? null : parameters.get(def.key());
            if (def.type() == ParameterType.FILE && value != null && value.isTextual()) {
                keys.put(def.key(), value.textValue());
            }
        }
        return keys;
    }
}
