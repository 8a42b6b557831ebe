package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.task.model.WorkflowSnapshot;
import java.time.Instant;
import java.util.UUID;

/**
 * One saved version of a workflow as the API returns it (the product's snapshot detail: {@code workflow_version},
 * {@code workflow_json}, {@code workflow_params}, {@code snapshot_note}). Lists leave out the JSON and parameters.
 */
public record SnapshotView(UUID id, UUID workflowId, int workflowVersion, String workflowSlug, String displayName, String toolType,
                           JsonNode workflowJson, JsonNode workflowParams, String snapshotNote, Instant createdAt) {

    public static SnapshotView of(WorkflowSnapshot s, boolean detail) {
        JsonNode d = s.definition;
        return new SnapshotView(s.id, s.workflowId, s.workflowVersion, d.path("workflow_slug").asText(null), d.path("display_name").asText(null),
                d.path("tool_type").asText(null), detail ? d.path("workflow_json") : null, detail ? d.path("parameters") : null,
                s.snapshotNote, s.createdAt);
    }
}
