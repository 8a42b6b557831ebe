package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.mapping.WorkflowMapping;
import io.cyberun.task.model.Workflow;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A workflow as the API returns it. {@code workflow_json} is left out for API-key callers, as the product does.
 */
public record WorkflowView(
        UUID id,
        String workflowSlug,
        String displayName,
        String description,
        int version,
        String workflowStatus,
        String toolType,
        JsonNode workflowJson,
        List<ParameterDef> parameters,
        List<String> requiredLabels,
        int taskTimeout,
        int maxRetries,
        String preferredGpu,
        String defaultDispatchTarget,
        Integer minVramGb,
        List<String> requiredModels,
        Instant createdAt,
        Instant updatedAt) {

    public static WorkflowView of(Workflow w, boolean includeJson, ObjectMapper json) {
        return new WorkflowView(w.id, w.workflowSlug, w.displayName, w.description, w.version, w.workflowStatus, w.toolType,
                includeJson ? w.workflowJson : null, WorkflowMapping.parameters(w.parameters, json),
                WorkflowMapping.strings(w.requiredLabels, json), w.taskTimeout, w.maxRetries, w.preferredGpu,
                w.defaultDispatchTarget, w.minVramGb, WorkflowMapping.strings(w.requiredModels, json), w.createdAt, w.updatedAt);
    }

    /** A pinned version (slug@version): the snapshot's definition with the workflow's identity. */
    public static WorkflowView of(Workflow w, int version, WorkflowDefinition d, boolean includeJson) {
        return new WorkflowView(w.id, d.workflowSlug(), d.displayName(), d.description(), version, w.workflowStatus,
                d.toolType(), includeJson ? d.workflowJson() : null, d.parameters(), d.requiredLabels(),
                d.taskTimeout() == null ? 0 : d.taskTimeout(), d.maxRetries() == null ? 0 : d.maxRetries(), d.preferredGpu(),
                d.defaultDispatchTarget(), d.minVramGb(), d.requiredModels(), w.createdAt, w.updatedAt);
    }
}
