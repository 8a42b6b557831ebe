package io.cyberun.task.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.ParameterDef;
import java.util.List;

/** A workflow as clients import or update it (all fields of the API's import schema). */
public record WorkflowDefinition(
        String workflowSlug,
        String displayName,
        String description,
        String toolType,
        JsonNode workflowJson,
        List<ParameterDef> parameters,
        List<String> requiredLabels,
        Integer taskTimeout,
        Integer maxRetries,
        List<String> requiredModels,
        Integer minVramGb,
        String preferredGpu,
        String defaultDispatchTarget,
        String workflowStatus,
        String snapshotNote) {
}
