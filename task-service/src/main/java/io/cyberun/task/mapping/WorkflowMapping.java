package io.cyberun.task.mapping;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.model.Workflow;
import java.util.List;

/** Converts between the stored workflow and its definition (what import, snapshots and runs use). */
public final class WorkflowMapping {
    private static final TypeReference<List<ParameterDef>> PARAMETERS = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    private WorkflowMapping() {
    }

    public static WorkflowDefinition definition(Workflow w, ObjectMapper json) {
        return new WorkflowDefinition(w.workflowSlug, w.displayName, w.description, w.toolType, w.workflowJson,
                parameters(w.parameters, json), strings(w.requiredLabels, json), w.taskTimeout, w.maxRetries,
                strings(w.requiredModels, json), w.minVramGb, w.preferredGpu, w.defaultDispatchTarget, w.workflowStatus, null);
    }

    /** Copies a (validated) definition onto the stored workflow, filling the documented defaults. */
    public static void apply(WorkflowDefinition d, Workflow w, ObjectMapper json) {
        w.workflowSlug = d.workflowSlug();
        w.displayName = d.displayName();
        w.description = d.description();
        w.toolType = d.toolType() == null ? "comfyui" : d.toolType();
        w.workflowJson = d.workflowJson();
        w.parameters = json.valueToTree(d.parameters() == null ? List.of() : d.parameters());
        w.requiredLabels = json.valueToTree(d.requiredLabels() == null ? List.of() : d.requiredLabels());
        w.requiredModels = json.valueToTree(d.requiredModels() == null ? List.of() : d.requiredModels());
        w.taskTimeout = d.taskTimeout() == null ? 0 : d.taskTimeout();
        w.maxRetries = d.maxRetries() == null ? 0 : d.maxRetries();
        w.minVramGb = d.minVramGb();
        w.preferredGpu = d.preferredGpu();
        w.defaultDispatchTarget = d.defaultDispatchTarget() == null ? "agent" : d.defaultDispatchTarget();
        w.workflowStatus = d.workflowStatus() == null ? "active" : d.workflowStatus();
    }

    public static List<ParameterDef> parameters(JsonNode node, ObjectMapper json) {
        return node == null || node.isNull() ? List.of() : json.convertValue(node, PARAMETERS);
    }

    public static List<String> strings(JsonNode node, ObjectMapper json) {
        return node == null || node.isNull() ? List.of() : json.convertValue(node, STRINGS);
    }
}
