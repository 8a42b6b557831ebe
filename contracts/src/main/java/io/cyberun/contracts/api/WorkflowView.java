package io.cyberun.contracts.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.ParameterDef;
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
}
