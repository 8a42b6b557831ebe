package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.mapping.WorkflowMapping;
import io.cyberun.task.model.Workflow;

/** A workflow as the API returns it ({@link WorkflowView}), from the stored workflow or a pinned version of it. */
final class WorkflowViews {
    private WorkflowViews() {
    }

    static WorkflowView of(Workflow w, boolean includeJson, ObjectMapper json) {
        return new WorkflowView(w.id, w.workflowSlug, w.displayName, w.description, w.version, w.workflowStatus, w.toolType,
                includeJson ? w.workflowJson : null, WorkflowMapping.parameters(w.parameters, json),
                WorkflowMapping.strings(w.requiredLabels, json), w.taskTimeout, w.maxRetries, w.preferredGpu,
                w.defaultDispatchTarget, w.minVramGb, WorkflowMapping.strings(w.requiredModels, json), w.createdAt, w.updatedAt);
    }

    /** A pinned version (slug@version): the snapshot's definition with the workflow's identity. */
    static WorkflowView of(Workflow w, int version, WorkflowDefinition d, boolean includeJson) {
        return new WorkflowView(w.id, d.workflowSlug(), d.displayName(), d.description(), version, w.workflowStatus,
                d.toolType(), includeJson ? d.workflowJson() : null, d.parameters(), d.requiredLabels(),
                d.taskTimeout() == null ? 0 : d.taskTimeout(), d.maxRetries() == null ? 0 : d.maxRetries(), d.preferredGpu(),
                d.defaultDispatchTarget(), d.minVramGb(), d.requiredModels(), w.createdAt, w.updatedAt);
    }
}
